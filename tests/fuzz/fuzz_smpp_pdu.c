/* libFuzzer target for the SMPP PDU decoder: our length walk (smpp_pdu_check) must stop every PDU that would make
 * libsmpp34's smpp34_unpack read or write out of bounds; accepted submit/deliver/data_sm are re-packed, and
 * their user data goes through the UDH parser like the gateway does. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <smpp34.h>

#include "simguard/sms_tpdu.h"
#include "smsgw/smpp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smpp_sm sm;
	static uint8_t out[SMPP_MAX_PDU + 64];
	uint8_t pdu[SMPP_MAX_PDU];
	struct smpp_hdr h;
	struct smpp_bind b;
	struct sms_udh udh;
	struct sg_error err;
	char why[160], msgid[66];

	if (size < SMPP_HDR_LEN || size > SMPP_MAX_PDU)
		return 0;
	/* the framing layer only hands over PDUs whose command_length matches; make the fuzzer's job easier */
	memcpy(pdu, data, size);
	pdu[0] = (uint8_t)(size >> 24);
	pdu[1] = (uint8_t)(size >> 16);
	pdu[2] = (uint8_t)(size >> 8);
	pdu[3] = (uint8_t)size;
	if (smpp_pdu_check(pdu, size, why, sizeof(why)) != ESME_ROK)
		return 0;
	smpp_hdr_get(pdu, &h);
	switch (h.id) {
	case SUBMIT_SM:
	case DELIVER_SM:
	case DATA_SM:
		if (smpp_decode_sm(pdu, size, &sm, why, sizeof(why)) == ESME_ROK) {
			if (smpp_encode_sm(h.id, h.seq, &sm, out, sizeof(out), why, sizeof(why)) < 0 && sm.ud_len <= 254)
				abort();
			if (sm.esm_class & 0x40)
				sms_udh_parse(sm.ud, sm.ud_len, &udh, &err);
		}
		break;
	case BIND_TRANSCEIVER:
	case BIND_TRANSMITTER:
	case BIND_RECEIVER:
		smpp_decode_bind(pdu, size, &b, why, sizeof(why));
		break;
	default:
		smpp_decode_resp_msgid(pdu, size, msgid, sizeof(msgid));
		break;
	}
	return 0;
}
