/* LD_PRELOAD shim for kernels without SCTP (see shared/recipes/osmocom-smsc.md): osmo-msc insists on an SCTP
 * socket for SGs / M3UA; we hand it TCP instead. socket(IPPROTO_SCTP) becomes a TCP stream socket, the SCTP
 * socket options libosmocore uses map to bind/connect/TCP_NODELAY, the rest are accepted and ignored. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#define SOL_SCTP_ 132
#define SCTP_NODELAY_ 3
#define SCTP_SOCKOPT_BINDX_ADD_ 100
#define SCTP_SOCKOPT_CONNECTX_OLD_ 107
#define SCTP_SOCKOPT_CONNECTX_ 110
#define SCTP_SOCKOPT_CONNECTX3_ 111

int socket(int domain, int type, int protocol);
int setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int getsockopt(int fd, int level, int name, void *val, socklen_t *len);

static void *next(const char *sym)
{
	return dlsym(RTLD_NEXT, sym);
}

int socket(int domain, int type, int protocol)
{
	int (*real)(int, int, int) = next("socket");

	if (protocol == IPPROTO_SCTP && (domain == AF_INET || domain == AF_INET6)) {
		int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);

		return real(domain, SOCK_STREAM | flags, IPPROTO_TCP);
	}
	return real(domain, type, protocol);
}

static socklen_t addr_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int (*real)(int, int, int, const void *, socklen_t) = next("setsockopt");
	int one = 1;

	if (level != SOL_SCTP_)
		return real(fd, level, name, val, len);
	switch (name) {
	case SCTP_SOCKOPT_BINDX_ADD_:
		return bind(fd, val, addr_len(val));
	case SCTP_SOCKOPT_CONNECTX_:
	case SCTP_SOCKOPT_CONNECTX_OLD_:
		return connect(fd, val, addr_len(val));
	case SCTP_NODELAY_:
		return real(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	default:
		return 0;
	}
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int (*real)(int, int, int, void *, socklen_t *) = next("getsockopt");

	if (level != SOL_SCTP_)
		return real(fd, level, name, val, len);
	if (name == SCTP_SOCKOPT_CONNECTX3_) {
		/* makes libsctp fall back to the CONNECTX option handled above */
		errno = ENOPROTOOPT;
		return -1;
	}
	if (val && len)
		memset(val, 0, *len);
	return 0;
}
