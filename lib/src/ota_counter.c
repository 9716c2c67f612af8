/* Replay counters (TS 102 225 clause 5.1.1, SPI1 b5b4) and the minimum security level check (TS 102 226 clause
 * 8.2.1.3.2.4.2): one rule for the card that enforces them and the server that predicts the card's answer. */
#include "simguard/secured_packet.h"

enum sp_counter_result sp_counter_verdict(uint8_t spi1, uint64_t stored, uint64_t received, uint64_t *store)
{
	uint8_t mode = spi1 & SP_SPI1_CNTR_MASK;

	*store = stored;
	if (mode == SP_SPI1_CNTR_NONE || mode == SP_SPI1_CNTR_NOCHECK)
		return SP_CNTR_ACCEPT;
	/* A counter at its maximum can never be exceeded again: the keyset is spent (status 04, never wraps). */
	if (stored >= SP_CNTR_MAX)
		return SP_CNTR_BLOCKED;
	if (received <= stored)
		return SP_CNTR_TOO_LOW;
	if (received > SP_CNTR_MAX || (mode == SP_SPI1_CNTR_ONE_HIGHER && received != stored + 1))
		return SP_CNTR_TOO_HIGH;
	*store = received;
	return SP_CNTR_ACCEPT;
}

uint8_t sp_counter_status(enum sp_counter_result r)
{
	switch (r) {
	case SP_CNTR_ACCEPT:
		return SP_STATUS_OK;
	case SP_CNTR_TOO_LOW:
		return SP_STATUS_CNTR_LOW;
	case SP_CNTR_TOO_HIGH:
		return SP_STATUS_CNTR_HIGH;
	case SP_CNTR_BLOCKED:
		break;
	}
	return SP_STATUS_CNTR_BLOCKED;
}

int sp_counter_next(uint64_t last, uint64_t *next)
{
	if (last >= SP_CNTR_MAX)
		return -1;
	*next = last + 1;
	return 0;
}

bool sp_msl_satisfied(uint8_t msl, uint8_t spi1)
{
	/* The codings happen to be ordered by strength: none < RC < CC < DS, and for counters none < available
	 * < higher < exactly one higher (each accepts a subset of what the previous one accepts). */
	if ((spi1 & SP_SPI1_CHK_MASK) < (msl & SP_SPI1_CHK_MASK))
		return false;
	if ((msl & SP_SPI1_CIPHER) && !(spi1 & SP_SPI1_CIPHER))
		return false;
	return (spi1 & SP_SPI1_CNTR_MASK) >= (msl & SP_SPI1_CNTR_MASK);
}
