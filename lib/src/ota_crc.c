/* CRC-16/X-25 and CRC-32 for the OTA redundancy check (see ota_crc.h). CRC-16 uses libosmocore's reflected
 * CCITT table; CRC-32 (the zlib polynomial, reflected 0xEDB88320) runs a nibble table, which is plenty for the few
 * hundred bytes of a secured packet. */
#include <osmocom/core/crc16.h>

#include "ota_crc.h"

uint16_t ota_crc16_x25(uint16_t crc, const uint8_t *p, size_t len)
{
	return osmo_crc16_ccitt(crc, p, len);
}

static const uint32_t crc32_nibble[16] = {
	0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
	0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t ota_crc32(uint32_t crc, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc32_nibble[crc & 0x0F];
		crc = (crc >> 4) ^ crc32_nibble[crc & 0x0F];
	}
	return crc;
}
