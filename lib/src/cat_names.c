/* Names of CAT numbers for display and JSON: command types, envelopes, tags, devices, results, events, tones,
 * qualifiers (TS 102 223 clauses 8-9, TS 31.111, TS 101 220 clause 7). */
#include <stdio.h>

#include "simguard/cat.h"

struct name {
	uint16_t v;
	const char *name;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const struct name *t, size_t n, uint16_t v, const char *unknown)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].v == v)
			return t[i].name;
	}
	return unknown;
}

static const struct name cmd_types[] = {
	{ 0x01, "REFRESH" },
	{ 0x02, "MORE TIME" },
	{ 0x03, "POLL INTERVAL" },
	{ 0x04, "POLLING OFF" },
	{ 0x05, "SET UP EVENT LIST" },
	{ 0x10, "SET UP CALL" },
	{ 0x11, "SEND SS" },
	{ 0x12, "SEND USSD" },
	{ 0x13, "SEND SHORT MESSAGE" },
	{ 0x14, "SEND DTMF" },
	{ 0x15, "LAUNCH BROWSER" },
	{ 0x20, "PLAY TONE" },
	{ 0x21, "DISPLAY TEXT" },
	{ 0x22, "GET INKEY" },
	{ 0x23, "GET INPUT" },
	{ 0x24, "SELECT ITEM" },
	{ 0x25, "SET UP MENU" },
	{ 0x26, "PROVIDE LOCAL INFORMATION" },
	{ 0x27, "TIMER MANAGEMENT" },
	{ 0x28, "SET UP IDLE MODE TEXT" },
	{ 0x30, "PERFORM CARD APDU" },
	{ 0x31, "POWER OFF CARD" },
	{ 0x32, "POWER ON CARD" },
	{ 0x33, "GET READER STATUS" },
	{ 0x34, "RUN AT COMMAND" },
	{ 0x35, "LANGUAGE NOTIFICATION" },
	{ 0x40, "OPEN CHANNEL" },
	{ 0x41, "CLOSE CHANNEL" },
	{ 0x42, "RECEIVE DATA" },
	{ 0x43, "SEND DATA" },
	{ 0x44, "GET CHANNEL STATUS" },
	{ 0x81, "END OF THE PROACTIVE SESSION" },
};

const char *cat_cmd_type_name(uint8_t type)
{
	return lookup(cmd_types, N(cmd_types), type, "unknown");
}

static const struct name envelopes[] = {
	{ 0xD1, "SMS-PP DOWNLOAD" },
	{ 0xD2, "CELL BROADCAST DOWNLOAD" },
	{ 0xD3, "MENU SELECTION" },
	{ 0xD4, "CALL CONTROL" },
	{ 0xD5, "MO SHORT MESSAGE CONTROL" },
	{ 0xD6, "EVENT DOWNLOAD" },
	{ 0xD7, "TIMER EXPIRATION" },
	{ 0xD9, "USSD DOWNLOAD" },
	{ 0xDA, "MMS TRANSFER STATUS" },
	{ 0xDB, "MMS NOTIFICATION DOWNLOAD" },
	{ 0xDC, "TERMINAL APPLICATIONS" },
	{ 0xDD, "GEOGRAPHICAL LOCATION REPORTING" },
};

const char *cat_envelope_name(uint8_t ber_tag)
{
	return lookup(envelopes, N(envelopes), ber_tag, "unknown");
}

static const struct name tags[] = {
	{ 0x01, "command details" },
	{ 0x02, "device identities" },
	{ 0x03, "result" },
	{ 0x04, "duration" },
	{ 0x05, "alpha identifier" },
	{ 0x06, "address" },
	{ 0x07, "capability configuration parameters" },
	{ 0x08, "subaddress" },
	{ 0x09, "SS string" },
	{ 0x0A, "USSD string" },
	{ 0x0B, "SMS TPDU" },
	{ 0x0C, "cell broadcast page" },
	{ 0x0D, "text string" },
	{ 0x0E, "tone" },
	{ 0x0F, "item" },
	{ 0x10, "item identifier" },
	{ 0x11, "response length" },
	{ 0x12, "file list" },
	{ 0x13, "location information" },
	{ 0x14, "IMEI" },
	{ 0x15, "help request" },
	{ 0x16, "network measurement results" },
	{ 0x17, "default text" },
	{ 0x18, "items next action indicator" },
	{ 0x19, "event list" },
	{ 0x1A, "cause" },
	{ 0x1B, "location status" },
	{ 0x1C, "transaction identifier" },
	{ 0x1D, "BCCH channel list" },
	{ 0x1E, "icon identifier" },
	{ 0x1F, "item icon identifier list" },
	{ 0x20, "card reader status" },
	{ 0x21, "card ATR" },
	{ 0x22, "C-APDU" },
	{ 0x23, "R-APDU" },
	{ 0x24, "timer identifier" },
	{ 0x25, "timer value" },
	{ 0x26, "date-time and time zone" },
	{ 0x27, "call control requested action" },
	{ 0x28, "AT command" },
	{ 0x29, "AT response" },
	{ 0x2A, "BC repeat indicator" },
	{ 0x2B, "immediate response" },
	{ 0x2C, "DTMF string" },
	{ 0x2D, "language" },
	{ 0x2E, "timing advance" },
	{ 0x2F, "AID" },
	{ 0x30, "browser identity" },
	{ 0x31, "URL" },
	{ 0x32, "bearer" },
	{ 0x33, "provisioning reference file" },
	{ 0x34, "browser termination cause" },
	{ 0x35, "bearer description" },
	{ 0x36, "channel data" },
	{ 0x37, "channel data length" },
	{ 0x38, "channel status" },
	{ 0x39, "buffer size" },
	{ 0x3A, "card reader identifier" },
	{ 0x3B, "file update information" },
	{ 0x3C, "UICC/terminal interface transport level" },
	{ 0x3E, "other address" },
	{ 0x3F, "access technology" },
	{ 0x40, "display parameters" },
	{ 0x41, "service record" },
	{ 0x42, "device filter" },
	{ 0x43, "service search" },
	{ 0x44, "attribute information" },
	{ 0x45, "service availability" },
	{ 0x46, "ESN" },
	{ 0x47, "network access name" },
	{ 0x50, "text attribute" },
	{ 0x51, "item text attribute list" },
	{ 0x62, "IMEISV" },
	{ 0x63, "battery state" },
	{ 0x64, "browsing status" },
	{ 0x65, "network search mode" },
	{ 0x66, "frame layout" },
	{ 0x67, "frames information" },
	{ 0x68, "frame identifier" },
	{ 0x6D, "MEID" },
};

const char *cat_tag_name(uint16_t tag)
{
	return lookup(tags, N(tags), tag, "unknown");
}

static const struct name devices[] = {
	{ 0x01, "keypad" },
	{ 0x02, "display" },
	{ 0x03, "earpiece" },
	{ 0x10, "card reader 0" },
	{ 0x11, "card reader 1" },
	{ 0x12, "card reader 2" },
	{ 0x13, "card reader 3" },
	{ 0x14, "card reader 4" },
	{ 0x15, "card reader 5" },
	{ 0x16, "card reader 6" },
	{ 0x17, "card reader 7" },
	{ 0x21, "channel 1" },
	{ 0x22, "channel 2" },
	{ 0x23, "channel 3" },
	{ 0x24, "channel 4" },
	{ 0x25, "channel 5" },
	{ 0x26, "channel 6" },
	{ 0x27, "channel 7" },
	{ 0x81, "UICC" },
	{ 0x82, "terminal" },
	{ 0x83, "network" },
};

const char *cat_dev_name(uint8_t dev)
{
	return lookup(devices, N(devices), dev, "reserved");
}

static const struct name results[] = {
	{ 0x00, "command performed successfully" },
	{ 0x01, "command performed with partial comprehension" },
	{ 0x02, "command performed, with missing information" },
	{ 0x03, "REFRESH performed with additional EFs read" },
	{ 0x04, "command performed successfully, but requested icon could not be displayed" },
	{ 0x05, "command performed, but modified by call control" },
	{ 0x06, "command performed successfully, limited service" },
	{ 0x07, "command performed with modification" },
	{ 0x08, "REFRESH performed but indicated NAA was not active" },
	{ 0x09, "command performed successfully, tone not played" },
	{ 0x10, "proactive session terminated by the user" },
	{ 0x11, "backward move in the proactive session requested by the user" },
	{ 0x12, "no response from user" },
	{ 0x13, "help information required by the user" },
	{ 0x14, "USSD or SS transaction terminated by the user" },
	{ 0x20, "terminal currently unable to process command" },
	{ 0x21, "network currently unable to process command" },
	{ 0x22, "user did not accept the proactive command" },
	{ 0x23, "user cleared down call before connection or network release" },
	{ 0x24, "action in contradiction with the current timer state" },
	{ 0x25, "interaction with call control by NAA, temporary problem" },
	{ 0x26, "launch browser generic error" },
	{ 0x30, "command beyond terminal's capabilities" },
	{ 0x31, "command type not understood by terminal" },
	{ 0x32, "command data not understood by terminal" },
	{ 0x33, "command number not known by terminal" },
	{ 0x34, "SS Return Error" },
	{ 0x35, "SMS RP-ERROR" },
	{ 0x36, "error, required values are missing" },
	{ 0x37, "USSD Return Error" },
	{ 0x38, "multiple card commands error" },
	{ 0x39, "interaction with call control by NAA, permanent problem" },
	{ 0x3A, "bearer independent protocol error" },
	{ 0x3B, "access technology unable to process command" },
};

const char *cat_result_name(uint8_t general)
{
	return lookup(results, N(results), general, "reserved");
}

bool cat_result_is_success(uint8_t general)
{
	return general < 0x20;
}

bool cat_result_needs_addl_info(uint8_t general)
{
	switch (general) {
	case CAT_RES_TERMINAL_UNABLE:
	case CAT_RES_NETWORK_UNABLE:
	case CAT_RES_BROWSER_ERROR:
	case CAT_RES_SS_RETURN_ERROR:
	case CAT_RES_SMS_RP_ERROR:
	case CAT_RES_USSD_RETURN_ERROR:
	case CAT_RES_MULTIPLE_CARD_ERROR:
	case CAT_RES_CC_PERMANENT:
	case CAT_RES_BIP_ERROR:
		return true;
	default:
		return false;
	}
}

static const struct name unable_causes[] = {
	{ 0x00, "no specific cause can be given" },
	{ 0x01, "screen is busy" },
	{ 0x02, "terminal currently busy on call" },
	{ 0x03, "terminal currently busy on SS transaction" },
	{ 0x04, "no service" },
	{ 0x05, "access control class bar" },
	{ 0x06, "radio resource not granted" },
	{ 0x07, "not in speech call" },
	{ 0x08, "terminal currently busy on USSD transaction" },
	{ 0x09, "terminal currently busy on SEND DTMF command" },
	{ 0x0A, "no NAA active" },
};

static const struct name cc_causes[] = {
	{ 0x00, "no specific cause can be given" },
	{ 0x01, "action not allowed" },
	{ 0x02, "the type of request has changed" },
};

static const struct name bip_causes[] = {
	{ 0x00, "no specific cause can be given" },
	{ 0x01, "no channel available" },
	{ 0x02, "channel closed" },
	{ 0x03, "channel identifier not valid" },
	{ 0x04, "requested buffer size not available" },
	{ 0x05, "security error (unsuccessful authentication)" },
	{ 0x06, "requested UICC/terminal interface transport level not available" },
};

const char *cat_addl_info_name(uint8_t general, uint8_t addl)
{
	switch (general) {
	case CAT_RES_TERMINAL_UNABLE:
		return lookup(unable_causes, N(unable_causes), addl, NULL);
	case CAT_RES_CC_PERMANENT:
		return lookup(cc_causes, N(cc_causes), addl, NULL);
	case CAT_RES_BIP_ERROR:
		return lookup(bip_causes, N(bip_causes), addl, NULL);
	case CAT_RES_NETWORK_UNABLE:
	case CAT_RES_SMS_RP_ERROR:
		/* network / RP cause value, with bit 8 set (TS 102 223 8.12.x) */
		return addl == 0x00 ? "no specific cause can be given" : "network cause (bit 8 set + cause value)";
	default:
		return NULL;
	}
}

static const struct name events[] = {
	{ 0x00, "MT call" },
	{ 0x01, "call connected" },
	{ 0x02, "call disconnected" },
	{ 0x03, "location status" },
	{ 0x04, "user activity" },
	{ 0x05, "idle screen available" },
	{ 0x06, "card reader status" },
	{ 0x07, "language selection" },
	{ 0x08, "browser termination" },
	{ 0x09, "data available" },
	{ 0x0A, "channel status" },
	{ 0x0B, "access technology change" },
	{ 0x0C, "display parameters changed" },
	{ 0x0D, "local connection" },
	{ 0x0E, "network search mode change" },
	{ 0x0F, "browsing status" },
	{ 0x10, "frames information change" },
};

const char *cat_event_name(uint8_t event)
{
	return lookup(events, N(events), event, "reserved");
}

static const struct name tones[] = {
	{ 0x01, "dial tone" },
	{ 0x02, "called subscriber busy" },
	{ 0x03, "congestion" },
	{ 0x04, "radio path acknowledge" },
	{ 0x05, "radio path not available / call dropped" },
	{ 0x06, "error / special information" },
	{ 0x07, "call waiting tone" },
	{ 0x08, "ringing tone" },
	{ 0x10, "general beep" },
	{ 0x11, "positive acknowledgement tone" },
	{ 0x12, "negative acknowledgement or error tone" },
	{ 0x13, "ringing tone selected by the user for speech calls" },
	{ 0x14, "alert tone selected by the user for SMS" },
	{ 0x15, "critical alert" },
	{ 0x20, "vibrate only" },
	{ 0x30, "happy tone" },
	{ 0x31, "sad tone" },
	{ 0x32, "urgent action tone" },
	{ 0x33, "question tone" },
	{ 0x34, "message received tone" },
	{ 0x40, "melody 1" },
	{ 0x41, "melody 2" },
	{ 0x42, "melody 3" },
	{ 0x43, "melody 4" },
	{ 0x44, "melody 5" },
	{ 0x45, "melody 6" },
	{ 0x46, "melody 7" },
	{ 0x47, "melody 8" },
};

const char *cat_tone_name(uint8_t tone)
{
	return lookup(tones, N(tones), tone, "reserved");
}

static const struct name location_statuses[] = {
	{ 0x00, "normal service" },
	{ 0x01, "limited service" },
	{ 0x02, "no service" },
};

const char *cat_location_status_name(uint8_t status)
{
	return lookup(location_statuses, N(location_statuses), status, "reserved");
}

static const struct name duration_units[] = {
	{ 0x00, "minutes" },
	{ 0x01, "seconds" },
	{ 0x02, "tenths of seconds" },
};

const char *cat_duration_unit_name(uint8_t unit)
{
	return lookup(duration_units, N(duration_units), unit, "reserved");
}

static const struct name pli_kinds[] = {
	{ 0x00, "location information" },
	{ 0x01, "IMEI" },
	{ 0x02, "network measurement results" },
	{ 0x03, "date, time and time zone" },
	{ 0x04, "language setting" },
	{ 0x05, "timing advance" },
	{ 0x06, "access technology" },
	{ 0x07, "ESN" },
	{ 0x08, "IMEISV" },
	{ 0x09, "search mode" },
	{ 0x0A, "charge state of the battery" },
	{ 0x0B, "MEID" },
	{ 0x0D, "broadcast network information" },
	{ 0x0E, "multiple access technologies" },
};

static const struct name refresh_modes[] = {
	{ 0x00, "NAA initialization and full file change notification" },
	{ 0x01, "file change notification" },
	{ 0x02, "NAA initialization and file change notification" },
	{ 0x03, "NAA initialization" },
	{ 0x04, "UICC reset" },
	{ 0x05, "NAA application reset" },
	{ 0x06, "NAA session reset" },
};

static const struct name timer_actions[] = {
	{ 0x00, "start" },
	{ 0x01, "deactivate" },
	{ 0x02, "get current value" },
};

static void describe_input(uint8_t type, uint8_t q, char *out, size_t size)
{
	const char *alphabet = !(q & CAT_QUAL_INPUT_ALPHABET) ? "digits only" :
			       (q & CAT_QUAL_INPUT_UCS2)     ? "UCS2 alphabet" :
								"SMS default alphabet";

	if (type == CAT_CMD_GET_INKEY && (q & CAT_QUAL_INKEY_YES_NO))
		alphabet = "yes/no";
	snprintf(out, size, "%s%s%s%s", alphabet,
		 type == CAT_CMD_GET_INKEY ? ((q & CAT_QUAL_INKEY_IMMEDIATE) ? ", immediate digit response" : "") :
					     ((q & CAT_QUAL_INPUT_HIDDEN) ? ", input hidden" : ""),
		 type == CAT_CMD_GET_INPUT && (q & CAT_QUAL_INPUT_PACKED) ? ", SMS packed" : "",
		 (q & CAT_QUAL_HELP_AVAILABLE) ? ", help available" : "");
}

const char *cat_qualifier_describe(uint8_t type, uint8_t q, char *out, size_t size)
{
	switch (type) {
	case CAT_CMD_DISPLAY_TEXT:
		snprintf(out, size, "%s, %s", (q & CAT_QUAL_DT_HIGH_PRIORITY) ? "high priority" : "normal priority",
			 (q & CAT_QUAL_DT_WAIT_FOR_USER) ? "wait for user to clear" : "clear after a delay");
		break;
	case CAT_CMD_GET_INKEY:
	case CAT_CMD_GET_INPUT:
		describe_input(type, q, out, size);
		break;
	case CAT_CMD_PLAY_TONE:
		snprintf(out, size, "%s", (q & CAT_QUAL_TONE_VIBRATE) ? "vibrate with the tone" : "vibration optional");
		break;
	case CAT_CMD_SEND_SHORT_MESSAGE:
		snprintf(out, size, "%s", (q & CAT_QUAL_SMS_PACK) ? "packing by the terminal required" :
								     "packing not required");
		break;
	case CAT_CMD_PROVIDE_LOCAL_INFO:
		snprintf(out, size, "%s", lookup(pli_kinds, N(pli_kinds), q, "reserved"));
		break;
	case CAT_CMD_TIMER_MANAGEMENT:
		snprintf(out, size, "%s", lookup(timer_actions, N(timer_actions), q & 0x03, "reserved"));
		break;
	case CAT_CMD_REFRESH:
		snprintf(out, size, "%s", lookup(refresh_modes, N(refresh_modes), q, "reserved"));
		break;
	case CAT_CMD_SET_UP_MENU:
	case CAT_CMD_SELECT_ITEM:
		snprintf(out, size, "%s%s",
			 (q & (type == CAT_CMD_SET_UP_MENU ? CAT_QUAL_MENU_SOFT_KEY : CAT_QUAL_SELECT_SOFT_KEY)) ?
				 "soft key preferred" :
				 "no selection preference",
			 (q & CAT_QUAL_HELP_AVAILABLE) ? ", help available" : "");
		break;
	default:
		snprintf(out, size, "%s", q ? "command-specific" : "none");
		break;
	}
	return out;
}
