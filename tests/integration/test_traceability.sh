#!/usr/bin/env bash
# Keeps specs/traceability.md from rotting: every requirement row (ID X1127-... or GSMA-...) must have a known
# status, rows that claim "Met" or "Partly" must name at least one test, IDs must be unique, and every reference in
# the document must resolve against the tree. Reference syntax (inside backticks, see specs/traceability.md):
#   `path`                            the file or directory exists
#   `path.c:name` / `path.h:name`     the function is defined in the .c file (declared in the .h file);
#                                     for tests/unit/test_*.c it must be registered with cmocka_unit_test*(name)
#   `path.sh: "TAP name"`             the script (or a tests/integration/lib file it sources) has the TAP name, or a
#                                     literal prefix of it, in quotes, not only after not_ok; or a quoted template
#                                     with shell variables prints it, each variable an argument the scripts pass
#   `specs/x.md#Heading text`         the spec has a heading containing that text
# Paths are relative to the repository root and start with an area directory (lib/, ota-server/, tests/, ...).
# With the seed document (../shared/seeds, X.1127) present it also checks that every requirement bullet of §8.1-8.5,
# Appendix I and Appendix V.1-V.3 has a row.
# Prints TAP lines "ok - NAME" / "not ok - NAME"; exit 1 on any failure.
# Usage: test_traceability.sh [FILE.md]   (default specs/traceability.md; FILE is checked, the tree is this one)
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOC=${1:-$ROOT/specs/traceability.md}
tmp=$(mktemp -d /tmp/traceability.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failures=$((failures + 1)); }

# check_doc ROOT FILE: the checker proper, references resolved in the tree at ROOT; prints TAP lines, exits 1 when
# something does not resolve.
check_doc() {
	python3 - "$1" "$2" <<'EOF'
import os, re, sys

root, doc = sys.argv[1], sys.argv[2]
AREAS = ("lib/", "uicc-applet/", "pcsc-tools/", "sms-gateway/", "ota-server/", "specs/", "tests/", "mk/")
STATUSES = ("Met", "Partly", "Not done", "N/A")
ID_RE = re.compile(r"^(X1127|GSMA)-[A-Z0-9][A-Za-z0-9.]*$")
TAP_RE = re.compile(r'^(\S+\.sh): "(.+)"$')
FUNC_RE = re.compile(r"^(\S+\.[ch]):([A-Za-z_][A-Za-z0-9_]*)$")
SPEC_RE = re.compile(r"^(\S+\.(?:md|yaml))#(.+)$")
cache = {}


def text(path):
	if path not in cache:
		with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
			cache[path] = f.read()
	return cache[path]


def exists(path):
	return os.path.exists(os.path.join(root, path))


def sourced(path, seen=None):
	"""The script and the tests/integration/lib/*.sh files it sources (". .../lib/X.sh"), transitively."""
	seen = seen if seen is not None else []
	if path in seen or not exists(path):
		return seen
	seen.append(path)
	for lib in re.findall(r"(?m)(?:^|\s)(?:\.|source)\s+[^\n]*?lib/([\w.-]+\.sh)", text(path)):
		sourced("tests/integration/lib/" + lib, seen)
	return seen


EXPANSION = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_0-9@#?]+")


def argument(value, code):
	if not value:
		return True
	if '"' + value + '"' in code or re.search(r"(?m)(?:^|[ \t])%s(?=[ \t;)]|$)" % re.escape(value), code):
		return True
	return len(value) <= 4 and re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(value), code) is not None


def template_match(name, texts):
	"""name is a TAP name a quoted template prints: the template's literal text (10 characters at least) as
	written, each shell expansion standing for an argument the scripts pass outside comments: a whole quoted string
	("replay of the captured LOCK"), a shell word (PC/SC), or any word of up to 4 characters (02)."""
	# where arguments are looked for: the scripts without their comments
	code = re.sub(r"(?m)(^|[ \t])#.*$", r"\1", "\n".join(texts))
	for t in texts:
		for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', t):
			tpl = m.group(1)
			if "$" not in tpl or re.search(r"not[_ ]ok (- )?$", t[max(0, m.start() - 10):m.start()]):
				continue
			parts = EXPANSION.split(tpl)
			if sum(len(x) for x in parts) < 10:
				continue
			rx = "(.*?)".join(re.escape(x) for x in parts)
			hit = re.fullmatch(rx, name)
			if hit and all(argument(g, code) for g in hit.groups()):
				return True
	return False


def check_tap(path, name, t):
	# the name in quotes (or a literal prefix of it), at least once where it is not only printed by a failure
	# ("not_ok NAME"), in the script or a lib/*.sh it sources; or the name a template with shell variables prints
	texts = [text(f) for f in sourced(path)]
	hits = [(x, m.start()) for x in texts for q in "\"'" for m in re.finditer(re.escape(q + name), x)]
	if any(not re.search(r"not[_ ]ok (- )?$", x[max(0, h - 10):h]) for x, h in hits):
		return None
	if template_match(name, texts):
		return None
	if hits:
		return '%s: "%s" is only printed as "not ok"' % (path, name)
	return '%s: no TAP name "%s" (nor a prefix of one, nor one a template prints)' % (path, name)


def check_func(path, name, t):
	if re.match(r"tests/unit/test_[^/]*\.c$", path):
		if not re.search(r"cmocka_unit_test\w*\(\s*%s\b" % name, t):
			return "%s: no cmocka test %s registered" % (path, name)
	elif path.endswith(".c"):
		# a definition: starts a line (Osmocom style: type and name on one line), not a prototype
		if not re.search(r"(?m)^[A-Za-z][^;\n]*\b%s\([^;]*$" % name, t):
			return "%s: no definition of %s()" % (path, name)
	elif not re.search(r"\b%s\(" % name, t):
		return "%s: %s() not declared" % (path, name)
	return None


def check_spec(path, heading, t):
	if path.endswith(".md"):
		if not any(heading in l for l in t.splitlines() if l.startswith("#")):
			return '%s: no heading containing "%s"' % (path, heading)
	elif heading not in t:
		return '%s: "%s" not found' % (path, heading)
	return None


def resolve(ref):
	"""None when the reference resolves, else why not."""
	for pattern, check in ((TAP_RE, check_tap), (FUNC_RE, check_func), (SPEC_RE, check_spec)):
		m = pattern.match(ref)
		if m:
			path, what = m.groups()
			return check(path, what, text(path)) if exists(path) else "%s: no such file" % path
	if " " in ref or ":" in ref:
		return "unreadable reference (see the syntax at the top of specs/traceability.md)"
	if not exists(ref.rstrip("/")):
		return "%s: no such file or directory" % ref
	return None


def refs_in(s):
	out = []
	for span in re.findall(r"`([^`\n]+)`", s):
		if span.startswith(AREAS) or span in ("README.md", "Makefile"):
			out.append(span)
	return out


def is_test(ref):
	return ref.startswith(("tests/unit/", "tests/integration/", "tests/fuzz/", "tests/bench/")) and \
		not ref.startswith("tests/integration/lib/")


fails = 0
seen = {}
rows = 0
loose = []
with open(doc, encoding="utf-8") as f:
	lines = f.read().splitlines()
for n, line in enumerate(lines, 1):
	cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
	rid = cells[0].strip("*` ") if cells else ""
	if not ID_RE.match(rid):
		loose += [(n, r) for r in refs_in(line)]
		continue
	rows += 1
	problems = []
	if rid in seen:
		problems.append("ID also on line %d" % seen[rid])
	seen[rid] = n
	if len(cells) != 5:
		problems.append("%d cells, 5 expected (ID, requirement, status, where, evidence)" % len(cells))
	status = cells[2].strip("* ") if len(cells) > 2 else ""
	if status not in STATUSES:
		problems.append("status '%s' is none of %s" % (status, ", ".join(STATUSES)))
	refs = refs_in(line)
	problems += [p for p in (resolve(r) for r in refs) if p]
	if status in ("Met", "Partly") and not any(is_test(r) for r in refs):
		problems.append("claims '%s' but names no test" % status)
	if problems:
		print("not ok - %s (line %d): %s" % (rid, n, "; ".join(problems)))
		fails += 1
	else:
		print("ok - %s: %s, references resolve (%d)" % (rid, status, len(refs)))
bad = ["line %d: %s" % (n, p) for n, p in ((n, resolve(r)) for n, r in loose) if p]
if bad:
	print("not ok - references outside the requirement rows resolve")
	for b in bad:
		print("#   " + b)
	fails += 1
else:
	print("ok - references outside the requirement rows resolve (%d)" % len(loose))
if rows == 0:
	print("not ok - the document has requirement rows")
	fails += 1
sys.exit(1 if fails else 0)
EOF
}

# check_complete FILE SEED: every bullet of X.1127 §8.1-8.5, Appendix I.1-I.4 (sub-bullets too) and V.1-V.3 in the
# seed text has its row (X1127-8.4.7, GSMA-I.1.1a, X1127-V.2.4, ...).
check_complete() {
	python3 - "$1" "$2" <<'EOF'
import re, sys

doc = open(sys.argv[1], encoding="utf-8").read()
have = set(re.findall(r"(?m)^\|\s*((?:X1127|GSMA)-[A-Za-z0-9.]+)\s*\|", doc))
want, clause, n, sub = [], None, 0, 0
for line in open(sys.argv[2], encoding="utf-8", errors="replace"):
	line = line.rstrip("\n")
	# body headings ("8.4 Functional ...", "I.2 Server", "Appendix III"); the table of contents has tabs
	if "\t" not in line and re.match(r"^(?:\d+\.\d+|[IVX]+\.\d+) |^Appendix ", line):
		m = re.match(r"^(8\.[1-5]|I\.[1-4]|V\.[1-3]) ", line)
		clause, n = (m.group(1) if m else None), 0
		continue
	if clause is None:
		continue
	prefix = ("GSMA-" if clause.startswith("I.") else "X1127-") + clause
	if line.startswith("- "):
		n, sub = n + 1, 0
		want.append("%s.%d" % (prefix, n))
	elif line.startswith(" - ") and clause.startswith("I.") and n:
		sub += 1
		want.append("%s.%d%s" % (prefix, n, "abcdefgh"[sub - 1]))
missing = [w for w in want if w not in have]
if len(want) < 40 or missing:
	print("not ok - every requirement bullet of the seed has a row: %d bullets read, missing: %s"
	      % (len(want), ", ".join(missing) or "-"))
	sys.exit(1)
print("ok - every requirement bullet of the seed (X.1127 §8, Appendix I, V) has a row (%d)" % len(want))
EOF
}

[ -f "$DOC" ] || { not_ok "$DOC exists"; exit 1; }
check_doc "$ROOT" "$DOC" > "$tmp/out"
rc=$?
cat "$tmp/out"
[ "$rc" = 0 ] || failures=$((failures + 1))
SEED=$ROOT/../shared/seeds/000_b5c716341210ade7.txt
if [ -f "$SEED" ]; then
	check_complete "$DOC" "$SEED" || failures=$((failures + 1))
else
	ok "every requirement bullet of the seed has a row # SKIP no seed document at $SEED"
fi

# The checker itself must be able to fail: a small tree of its own, one good row and rows with every kind of broken
# reference, each of which must be reported.
mkdir -p "$tmp/root/lib" "$tmp/root/tests/unit" "$tmp/root/tests/integration/lib" "$tmp/root/specs"
printf 'static int helper(int x);\nint real_function(int x)\n{\n\treturn helper(x);\n}\n' > "$tmp/root/lib/code.c"
printf 'static void test_real(void **state)\n{\n}\n\tcmocka_unit_test(test_real),\n' > "$tmp/root/tests/unit/test_x.c"
cat > "$tmp/root/tests/integration/test_y.sh" <<'EOF'
. "$(dirname "$0")/lib/helper.sh"
check "real name with $v" true
not_ok "printed only on failure"
refused() { ok "$1: refused by the card"; }
refused "wrong keys"
cycle PC/SC # not over USSD
EOF
# shellcheck disable=SC2016 # the fake helper's $1 stays literal
printf 'cycle() { ok "LOCK over $1: confirmed by the PoR"; }\n' > "$tmp/root/tests/integration/lib/helper.sh"
printf '# Spec\n\n## 2. Real section\n' > "$tmp/root/specs/s.md"
cat > "$tmp/planted.md" <<'EOF'
| ID | Requirement | Status | Where | Evidence |
|----|-------------|--------|-------|----------|
| GSMA-I.1.1 | good | Met | `lib/code.c:real_function`, `specs/s.md#Real section` | `tests/unit/test_x.c:test_real`, `tests/integration/test_y.sh: "real name with"`, `tests/integration/test_y.sh: "wrong keys: refused by the card"`, `tests/integration/test_y.sh: "LOCK over PC/SC: confirmed by the PoR"` |
| GSMA-I.9.9 | broken | Met | `lib/code.c:helper`, `lib/code.c:gone`, `specs/s.md#No such heading` | `tests/unit/test_x.c:test_gone`, `tests/integration/test_y.sh: "no such name"`, `tests/integration/test_y.sh: "printed only on failure"`, `tests/integration/test_y.sh: "LOCK over USSD: confirmed by the PoR"`, `tests/integration/test_y.sh: "right keys: refused by the card"`, `tests/unit/test_none.c` |
| GSMA-I.9.8 | no test | Partly | `lib/code.c:real_function` | none |
| GSMA-I.9.8 | repeated, bad status | Maybe | `lib/code.c` | — | extra |
Prose with `lib/missing.c` and `lib/code.c:real function`.
EOF
check_doc "$tmp/root" "$tmp/planted.md" > "$tmp/planted.out"
rc=$?
want=("ok - GSMA-I.1.1: Met" 'no TAP name "LOCK over USSD: confirmed by the PoR"' 'no TAP name "right keys: refused by the card"' "no definition of helper()" "no definition of gone()"
	'no heading containing "No such heading"' "no cmocka test test_gone registered"
	'no TAP name "no such name"' '"printed only on failure" is only printed as "not ok"'
	"tests/unit/test_none.c: no such file" "claims 'Partly' but names no test" "ID also on line"
	"status 'Maybe'" "6 cells, 5 expected" "lib/missing.c: no such file" "unreadable reference")
missing=""
for w in "${want[@]}"; do grep -qF -- "$w" "$tmp/planted.out" || missing+=" [$w]"; done
if [ "$rc" = 1 ] && [ -z "$missing" ]; then
	ok "the checker refuses planted broken references, a row without tests, a repeated ID and a bad status"
else
	not_ok "the checker refuses planted broken references, a row without tests, a repeated ID and a bad status"
	echo "#   rc=$rc, not reported:$missing"
	sed 's/^/#   /' "$tmp/planted.out"
fi
exit $((failures > 0))
