/* Redundancy checks of TS 102 225 clause 5.1.3 (KID with SPI1 "RC"): CRC-16/X-25 and CRC-32 (IEEE). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define OTA_CRC16_INIT 0xFFFF
#define OTA_CRC32_INIT 0xFFFFFFFFu

/* Running CRCs (reflected); start from the INIT value, feed pieces, XOR the result with all ones. */
uint16_t ota_crc16_x25(uint16_t crc, const uint8_t *p, size_t len);
uint32_t ota_crc32(uint32_t crc, const uint8_t *p, size_t len);
