/* Card Application Toolkit codec (ETSI TS 102 223, 3GPP TS 31.111, tag values of TS 101 220):
 *  - builders for the proactive commands the card issues, for TERMINAL RESPONSEs (terminal side) and for the
 *    ENVELOPEs the terminal sends (SMS-PP / USSD data download, event download, timer expiration, menu selection,
 *    call control);
 *  - one generic decoder for any proactive command (D0), TERMINAL RESPONSE or ENVELOPE (D1..DD) into a structured
 *    result with names and typed values, texts turned into UTF-8 whatever their coding, and rule violations
 *    reported with the rule and the result a terminal should answer with;
 *  - a JSON rendering of the decoded result (jansson);
 *  - text codings: GSM 7-bit packed, GSM 8-bit unpacked, UCS2 and the alpha identifier codings of TS 102 221
 *    Annex A.
 * Builders write CR-flagged objects in the order of TS 102 223 (as the oFono / TS 102 384 vectors do). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"
#include "simguard/tlv.h"

typedef struct json_t json_t;

/* Largest CAT PDU: a BER template with a 255-byte value (one FETCH / ENVELOPE of a short APDU). */
#define CAT_PDU_MAX 258
#define CAT_VALUE_MAX 255

struct cat_buf {
	uint8_t data[CAT_PDU_MAX];
	size_t len;
};

/* ---- numbers ---- */

/* BER-TLV tags of the outer templates */
enum cat_ber_tag {
	CAT_BER_PROACTIVE = 0xD0,
	CAT_ENV_SMS_PP_DOWNLOAD = 0xD1,
	CAT_ENV_CB_DOWNLOAD = 0xD2,
	CAT_ENV_MENU_SELECTION = 0xD3,
	CAT_ENV_CALL_CONTROL = 0xD4,
	CAT_ENV_MO_SMS_CONTROL = 0xD5,
	CAT_ENV_EVENT_DOWNLOAD = 0xD6,
	CAT_ENV_TIMER_EXPIRATION = 0xD7,
	CAT_ENV_USSD_DOWNLOAD = 0xD9,
	CAT_ENV_MMS_TRANSFER_STATUS = 0xDA,
	CAT_ENV_MMS_NOTIFICATION = 0xDB,
	CAT_ENV_TERMINAL_APPLICATIONS = 0xDC,
	CAT_ENV_GEO_LOCATION_REPORTING = 0xDD,
};

/* COMPREHENSION-TLV tags (without the CR bit) */
enum cat_tag {
	CAT_TAG_COMMAND_DETAILS = 0x01,
	CAT_TAG_DEVICE_IDS = 0x02,
	CAT_TAG_RESULT = 0x03,
	CAT_TAG_DURATION = 0x04,
	CAT_TAG_ALPHA_ID = 0x05,
	CAT_TAG_ADDRESS = 0x06,
	CAT_TAG_CCP = 0x07,
	CAT_TAG_SUBADDRESS = 0x08,
	CAT_TAG_SS_STRING = 0x09,
	CAT_TAG_USSD_STRING = 0x0A,
	CAT_TAG_SMS_TPDU = 0x0B,
	CAT_TAG_CB_PAGE = 0x0C,
	CAT_TAG_TEXT_STRING = 0x0D,
	CAT_TAG_TONE = 0x0E,
	CAT_TAG_ITEM = 0x0F,
	CAT_TAG_ITEM_ID = 0x10,
	CAT_TAG_RESPONSE_LENGTH = 0x11,
	CAT_TAG_FILE_LIST = 0x12,
	CAT_TAG_LOCATION_INFO = 0x13,
	CAT_TAG_IMEI = 0x14,
	CAT_TAG_HELP_REQUEST = 0x15,
	CAT_TAG_NMR = 0x16,
	CAT_TAG_DEFAULT_TEXT = 0x17,
	CAT_TAG_ITEMS_NEXT_ACTION = 0x18,
	CAT_TAG_EVENT_LIST = 0x19,
	CAT_TAG_CAUSE = 0x1A,
	CAT_TAG_LOCATION_STATUS = 0x1B,
	CAT_TAG_TRANSACTION_ID = 0x1C,
	CAT_TAG_ICON_ID = 0x1E,
	CAT_TAG_ITEM_ICON_ID_LIST = 0x1F,
	CAT_TAG_TIMER_ID = 0x24,
	CAT_TAG_TIMER_VALUE = 0x25,
	CAT_TAG_DATETIME_TZ = 0x26,
	CAT_TAG_IMMEDIATE_RESPONSE = 0x2B,
	CAT_TAG_DTMF_STRING = 0x2C,
	CAT_TAG_LANGUAGE = 0x2D,
	CAT_TAG_AID = 0x2F,
	CAT_TAG_URL = 0x31,
	CAT_TAG_ACCESS_TECHNOLOGY = 0x3F,
	CAT_TAG_TEXT_ATTRIBUTE = 0x50,
	CAT_TAG_IMEISV = 0x62,
	CAT_TAG_FRAME_ID = 0x68,
};

/* Command types (command details byte 2) */
enum cat_cmd_type {
	CAT_CMD_REFRESH = 0x01,
	CAT_CMD_MORE_TIME = 0x02,
	CAT_CMD_POLL_INTERVAL = 0x03,
	CAT_CMD_POLLING_OFF = 0x04,
	CAT_CMD_SET_UP_EVENT_LIST = 0x05,
	CAT_CMD_SET_UP_CALL = 0x10,
	CAT_CMD_SEND_SS = 0x11,
	CAT_CMD_SEND_USSD = 0x12,
	CAT_CMD_SEND_SHORT_MESSAGE = 0x13,
	CAT_CMD_SEND_DTMF = 0x14,
	CAT_CMD_LAUNCH_BROWSER = 0x15,
	CAT_CMD_PLAY_TONE = 0x20,
	CAT_CMD_DISPLAY_TEXT = 0x21,
	CAT_CMD_GET_INKEY = 0x22,
	CAT_CMD_GET_INPUT = 0x23,
	CAT_CMD_SELECT_ITEM = 0x24,
	CAT_CMD_SET_UP_MENU = 0x25,
	CAT_CMD_PROVIDE_LOCAL_INFO = 0x26,
	CAT_CMD_TIMER_MANAGEMENT = 0x27,
	CAT_CMD_SET_UP_IDLE_MODE_TEXT = 0x28,
	CAT_CMD_RUN_AT_COMMAND = 0x34,
	CAT_CMD_LANGUAGE_NOTIFICATION = 0x35,
	CAT_CMD_OPEN_CHANNEL = 0x40,
	CAT_CMD_CLOSE_CHANNEL = 0x41,
	CAT_CMD_RECEIVE_DATA = 0x42,
	CAT_CMD_SEND_DATA = 0x43,
	CAT_CMD_GET_CHANNEL_STATUS = 0x44,
};

/* Device identities */
enum cat_dev {
	CAT_DEV_KEYPAD = 0x01,
	CAT_DEV_DISPLAY = 0x02,
	CAT_DEV_EARPIECE = 0x03,
	CAT_DEV_UICC = 0x81,
	CAT_DEV_TERMINAL = 0x82,
	CAT_DEV_NETWORK = 0x83,
};

/* General results (first byte of the Result object) */
enum cat_result {
	CAT_RES_OK = 0x00,
	CAT_RES_OK_PARTIAL = 0x01,
	CAT_RES_OK_MISSING_INFO = 0x02,
	CAT_RES_OK_REFRESH_EXTRA_EFS = 0x03,
	CAT_RES_OK_NO_ICON = 0x04,
	CAT_RES_OK_MODIFIED_BY_CC = 0x05,
	CAT_RES_OK_LIMITED_SERVICE = 0x06,
	CAT_RES_OK_WITH_MODIFICATION = 0x07,
	CAT_RES_OK_REFRESH_NAA_INACTIVE = 0x08,
	CAT_RES_OK_TONE_NOT_PLAYED = 0x09,
	CAT_RES_USER_TERMINATED = 0x10,
	CAT_RES_USER_BACKWARD = 0x11,
	CAT_RES_NO_RESPONSE = 0x12,
	CAT_RES_HELP_REQUESTED = 0x13,
	CAT_RES_USSD_SS_TERMINATED = 0x14,
	CAT_RES_TERMINAL_UNABLE = 0x20,
	CAT_RES_NETWORK_UNABLE = 0x21,
	CAT_RES_USER_REJECTED = 0x22,
	CAT_RES_USER_CLEARED_CALL = 0x23,
	CAT_RES_TIMER_CONTRADICTION = 0x24,
	CAT_RES_CC_TEMPORARY = 0x25,
	CAT_RES_BROWSER_ERROR = 0x26,
	CAT_RES_BEYOND_CAPABILITIES = 0x30,
	CAT_RES_TYPE_NOT_UNDERSTOOD = 0x31,
	CAT_RES_DATA_NOT_UNDERSTOOD = 0x32,
	CAT_RES_NUMBER_NOT_KNOWN = 0x33,
	CAT_RES_SS_RETURN_ERROR = 0x34,
	CAT_RES_SMS_RP_ERROR = 0x35,
	CAT_RES_VALUES_MISSING = 0x36,
	CAT_RES_USSD_RETURN_ERROR = 0x37,
	CAT_RES_MULTIPLE_CARD_ERROR = 0x38,
	CAT_RES_CC_PERMANENT = 0x39,
	CAT_RES_BIP_ERROR = 0x3A,
	CAT_RES_ACCESS_TECH_UNABLE = 0x3B,
};

/* Additional information for CAT_RES_TERMINAL_UNABLE */
enum cat_unable_cause {
	CAT_UNABLE_NO_CAUSE = 0x00,
	CAT_UNABLE_SCREEN_BUSY = 0x01,
	CAT_UNABLE_BUSY_ON_CALL = 0x02,
	CAT_UNABLE_BUSY_ON_SS = 0x03,
	CAT_UNABLE_NO_SERVICE = 0x04,
	CAT_UNABLE_ACCESS_CLASS_BAR = 0x05,
	CAT_UNABLE_NO_RADIO_RESOURCE = 0x06,
	CAT_UNABLE_NOT_IN_SPEECH_CALL = 0x07,
	CAT_UNABLE_BUSY_ON_USSD = 0x08,
	CAT_UNABLE_BUSY_ON_DTMF = 0x09,
	CAT_UNABLE_NO_NAA = 0x0A,
};

/* Events (SET UP EVENT LIST, EVENT DOWNLOAD) */
enum cat_event {
	CAT_EVT_MT_CALL = 0x00,
	CAT_EVT_CALL_CONNECTED = 0x01,
	CAT_EVT_CALL_DISCONNECTED = 0x02,
	CAT_EVT_LOCATION_STATUS = 0x03,
	CAT_EVT_USER_ACTIVITY = 0x04,
	CAT_EVT_IDLE_SCREEN = 0x05,
	CAT_EVT_CARD_READER_STATUS = 0x06,
	CAT_EVT_LANGUAGE_SELECTION = 0x07,
	CAT_EVT_BROWSER_TERMINATION = 0x08,
	CAT_EVT_DATA_AVAILABLE = 0x09,
	CAT_EVT_CHANNEL_STATUS = 0x0A,
	CAT_EVT_ACCESS_TECH_CHANGE = 0x0B,
	CAT_EVT_DISPLAY_PARAMS_CHANGED = 0x0C,
	CAT_EVT_LOCAL_CONNECTION = 0x0D,
	CAT_EVT_NETWORK_SEARCH_MODE = 0x0E,
};

/* Location status values */
enum cat_location_status {
	CAT_LOCSTAT_NORMAL = 0x00,
	CAT_LOCSTAT_LIMITED = 0x01,
	CAT_LOCSTAT_NO_SERVICE = 0x02,
};

/* Tones (PLAY TONE) */
enum cat_tone {
	CAT_TONE_DIAL = 0x01,
	CAT_TONE_BUSY = 0x02,
	CAT_TONE_CONGESTION = 0x03,
	CAT_TONE_RADIO_ACK = 0x04,
	CAT_TONE_RADIO_NOT_AVAILABLE = 0x05,
	CAT_TONE_ERROR = 0x06,
	CAT_TONE_CALL_WAITING = 0x07,
	CAT_TONE_RINGING = 0x08,
	CAT_TONE_GENERAL_BEEP = 0x10,
	CAT_TONE_POSITIVE_ACK = 0x11,
	CAT_TONE_NEGATIVE_ACK = 0x12,
	CAT_TONE_USER_RINGING = 0x13,
	CAT_TONE_USER_SMS_ALERT = 0x14,
	CAT_TONE_CRITICAL_ALERT = 0x15,
	CAT_TONE_VIBRATE_ONLY = 0x20,
	CAT_TONE_HAPPY = 0x30,
	CAT_TONE_SAD = 0x31,
	CAT_TONE_URGENT_ACTION = 0x32,
	CAT_TONE_QUESTION = 0x33,
	CAT_TONE_MESSAGE_RECEIVED = 0x34,
	CAT_TONE_MELODY_1 = 0x40,
	CAT_TONE_MELODY_8 = 0x47,
};

/* Qualifier bits (command details byte 3) */
#define CAT_QUAL_DT_HIGH_PRIORITY 0x01	 /* DISPLAY TEXT */
#define CAT_QUAL_DT_WAIT_FOR_USER 0x80	 /* DISPLAY TEXT: wait for the user to clear */
#define CAT_QUAL_INPUT_ALPHABET 0x01	 /* GET INKEY / GET INPUT: alphabet (else digits) */
#define CAT_QUAL_INPUT_UCS2 0x02	 /* UCS2 alphabet */
#define CAT_QUAL_INKEY_YES_NO 0x04	 /* GET INKEY: yes/no */
#define CAT_QUAL_INKEY_IMMEDIATE 0x08	 /* GET INKEY: immediate digit response */
#define CAT_QUAL_INPUT_HIDDEN 0x04	 /* GET INPUT: user input not revealed */
#define CAT_QUAL_INPUT_PACKED 0x08	 /* GET INPUT: SMS packed format */
#define CAT_QUAL_HELP_AVAILABLE 0x80	 /* GET INKEY / GET INPUT / SET UP MENU / SELECT ITEM */
#define CAT_QUAL_TONE_VIBRATE 0x01	 /* PLAY TONE */
#define CAT_QUAL_SMS_PACK 0x01		 /* SEND SHORT MESSAGE: terminal packs the text */
#define CAT_QUAL_MENU_SOFT_KEY 0x01	 /* SET UP MENU */
#define CAT_QUAL_SELECT_SOFT_KEY 0x04	 /* SELECT ITEM */

/* PROVIDE LOCAL INFORMATION qualifiers */
enum cat_pli {
	CAT_PLI_LOCATION = 0x00,
	CAT_PLI_IMEI = 0x01,
	CAT_PLI_NMR = 0x02,
	CAT_PLI_DATETIME = 0x03,
	CAT_PLI_LANGUAGE = 0x04,
	CAT_PLI_TIMING_ADVANCE = 0x05,
	CAT_PLI_ACCESS_TECH = 0x06,
	CAT_PLI_ESN = 0x07,
	CAT_PLI_IMEISV = 0x08,
	CAT_PLI_SEARCH_MODE = 0x09,
	CAT_PLI_BATTERY = 0x0A,
	CAT_PLI_MEID = 0x0B,
};

/* TIMER MANAGEMENT qualifiers */
enum cat_timer_action {
	CAT_TIMER_START = 0x00,
	CAT_TIMER_DEACTIVATE = 0x01,
	CAT_TIMER_GET_VALUE = 0x02,
};

/* REFRESH qualifiers */
enum cat_refresh_mode {
	CAT_REFRESH_INIT_FULL_FCN = 0x00,
	CAT_REFRESH_FCN = 0x01,
	CAT_REFRESH_INIT_FCN = 0x02,
	CAT_REFRESH_INIT = 0x03,
	CAT_REFRESH_UICC_RESET = 0x04,
	CAT_REFRESH_APP_RESET = 0x05,
	CAT_REFRESH_SESSION_RESET = 0x06,
};

/* ---- names (never NULL: unknown values give "unknown" / "reserved") ---- */
const char *cat_cmd_type_name(uint8_t type);
const char *cat_envelope_name(uint8_t ber_tag);
const char *cat_tag_name(uint16_t tag);
const char *cat_dev_name(uint8_t dev);
const char *cat_result_name(uint8_t general);
/* Name of the additional information byte for the general results that define one (20, 21 ...), or NULL. */
const char *cat_addl_info_name(uint8_t general, uint8_t addl);
const char *cat_event_name(uint8_t event);
const char *cat_tone_name(uint8_t tone);
const char *cat_location_status_name(uint8_t status);
const char *cat_duration_unit_name(uint8_t unit);
/* What a qualifier means for a command type, e.g. "high priority, wait for user to clear"; into out. */
const char *cat_qualifier_describe(uint8_t type, uint8_t qualifier, char *out, size_t size);
/* True when a general result means "performed" (0x and 1x). */
bool cat_result_is_success(uint8_t general);
/* True for the general results whose additional information is mandatory (20, 21, 26, 34, 35, 37, 38, 39, 3A). */
bool cat_result_needs_addl_info(uint8_t general);

/* ---- text codings ---- */

/* Text string data coding (the DCS byte of a Text string, SMS coding of TS 23.038) */
enum cat_text_coding {
	CAT_TEXT_GSM7_PACKED = 0x00,
	CAT_TEXT_GSM8 = 0x04,
	CAT_TEXT_UCS2 = 0x08,
	CAT_TEXT_AUTO = 0xFF, /* GSM 8-bit if every character is in the GSM default alphabet, else UCS2 */
};

/* Decode a Text string value (DCS || data) into NUL-terminated UTF-8. An empty value is a null text: out = "".
 * Errors name the problem: an unsupported DCS, odd UCS2 length, a byte outside the GSM alphabet ... */
int cat_text_decode(const uint8_t *val, size_t len, char *out, size_t size, struct sg_error *err);
/* Decode text in a given alphabet (SMS DCS for text strings; use cat_cbs_dcs_decode for USSD strings). */
int cat_text_decode_dcs(uint8_t dcs, const uint8_t *data, size_t len, char *out, size_t size, struct sg_error *err);
/* Decode a USSD / CBS coded string (TS 23.038 clause 5 DCS). Returns 0 for text, 1 (out = "") when the DCS says
 * 8-bit data, which is not text, -1 with err on an unsupported DCS or bad data. */
int cat_cbs_text_decode(uint8_t dcs, const uint8_t *data, size_t len, char *out, size_t size, struct sg_error *err);
/* Encode UTF-8 as a Text string value (DCS || data) in the given coding. */
int cat_text_encode(const char *utf8, enum cat_text_coding coding, uint8_t *out, size_t size, size_t *out_len,
		    struct sg_error *err);

/* Alpha identifier (TS 102 221 Annex A: GSM unpacked with FF padding, or UCS2 forms 80, 81, 82). */
int cat_alpha_decode(const uint8_t *val, size_t len, char *out, size_t size, struct sg_error *err);
/* Encode: GSM default alphabet when every character has a GSM code, else the 80 UCS2 form. */
int cat_alpha_encode(const char *utf8, uint8_t *out, size_t size, size_t *out_len, struct sg_error *err);

/* GSM 7-bit default alphabet <-> UTF-8 (one septet per byte, extension table through 1B escapes). */
int cat_gsm_to_utf8(const uint8_t *septets, size_t n, char *out, size_t size, struct sg_error *err);
int cat_utf8_to_gsm(const char *utf8, uint8_t *septets, size_t size, size_t *n, struct sg_error *err);
/* Unpack len octets of 7-bit packed data into septets (len*8/7 of them; a trailing septet that only fills seven
 * padding bits with CR or 00 is dropped). Returns the septet count. */
size_t cat_gsm7_unpack(const uint8_t *packed, size_t len, uint8_t *septets, size_t size);
/* Pack n septets (TS 23.038 6.1.2.1.1); seven spare bits at the end get CR as 23.038 recommends. Returns octets
 * written or -1 with err when they do not fit. */
int cat_gsm7_pack(const uint8_t *septets, size_t n, uint8_t *out, size_t size, struct sg_error *err);

/* ---- structured values shared by builders and decoder ---- */

#define CAT_ADDR_MAX_DIGITS 40

/* Address / SS string: TON/NPI byte and BCD digits ("0-9*#" and 'p' (C), 'w' (D), 'e' (E)). */
struct cat_address {
	uint8_t ton; /* 0..7 */
	uint8_t npi; /* 0..15 */
	char digits[CAT_ADDR_MAX_DIGITS + 1];
};

struct cat_duration {
	uint8_t unit; /* 0 minutes, 1 seconds, 2 tenths of seconds */
	uint8_t interval; /* 1..255; 0 = absent in builders */
};

/* Location information (TS 31.111 8.19): MCC/MNC, LAC (or TAC), cell id. extended: the 9-byte form with a
 * 32-bit cell id (UTRAN extended / E-UTRAN 28-bit ECI) instead of 16 bits. */
struct cat_location {
	uint16_t mcc;
	uint16_t mnc;
	bool mnc_3_digits;
	uint16_t lac;
	uint32_t cell_id;
	bool extended;
};

struct cat_item {
	uint8_t id;
	const char *text; /* UTF-8 */
};

/* ---- object writers (append one COMPREHENSION-TLV with CR set to w; -1 with err on a bad value or when the
 * writer overflowed) ---- */
int cat_put_text_string(struct sg_tlv_writer *w, uint16_t tag, const char *utf8, enum cat_text_coding coding,
			struct sg_error *err);
int cat_put_alpha(struct sg_tlv_writer *w, const char *utf8, struct sg_error *err);
int cat_put_address(struct sg_tlv_writer *w, uint16_t tag, const struct cat_address *a, struct sg_error *err);
int cat_put_duration(struct sg_tlv_writer *w, const struct cat_duration *d, struct sg_error *err);
int cat_put_location(struct sg_tlv_writer *w, const struct cat_location *loc, struct sg_error *err);
int cat_put_imei(struct sg_tlv_writer *w, const char *digits, struct sg_error *err);
int cat_put_timer_value(struct sg_tlv_writer *w, uint32_t seconds, struct sg_error *err);
int cat_put_item(struct sg_tlv_writer *w, const struct cat_item *item, struct sg_error *err);

/* ---- proactive command builders (UICC side). Each writes the D0 template into out; number is the command
 * number (1..254). -1 with err on bad parameters or when the command would exceed 255 bytes. ---- */

struct cat_display_text {
	const char *text;
	enum cat_text_coding coding;
	bool high_priority;
	bool wait_for_user; /* else the terminal clears the text after a delay */
	bool immediate_response;
	struct cat_duration duration;
};
int cat_build_display_text(struct cat_buf *out, uint8_t number, const struct cat_display_text *p,
			   struct sg_error *err);

/* text NULL removes the idle mode text (null Text string). */
int cat_build_set_up_idle_mode_text(struct cat_buf *out, uint8_t number, const char *text,
				    enum cat_text_coding coding, struct sg_error *err);

struct cat_play_tone {
	const char *alpha; /* NULL: none */
	uint8_t tone;	   /* 0: none (terminal default) */
	struct cat_duration duration;
	bool vibrate;
};
int cat_build_play_tone(struct cat_buf *out, uint8_t number, const struct cat_play_tone *p, struct sg_error *err);

int cat_build_provide_local_info(struct cat_buf *out, uint8_t number, enum cat_pli what, struct sg_error *err);

struct cat_send_sms {
	const char *alpha;		 /* NULL: none; "": null alpha identifier (no user information) */
	const struct cat_address *sc;	 /* service centre; NULL: the terminal's default */
	const uint8_t *tpdu;		 /* SMS-SUBMIT */
	size_t tpdu_len;
	bool pack;			 /* qualifier 01: terminal packs the text */
};
int cat_build_send_sms(struct cat_buf *out, uint8_t number, const struct cat_send_sms *p, struct sg_error *err);

/* n_events 0 removes the current list. */
int cat_build_set_up_event_list(struct cat_buf *out, uint8_t number, const uint8_t *events, size_t n_events,
				struct sg_error *err);

/* seconds is used for CAT_TIMER_START only (1 s .. 99:59:59). */
int cat_build_timer_management(struct cat_buf *out, uint8_t number, enum cat_timer_action action, uint8_t timer_id,
			       uint32_t seconds, struct sg_error *err);

int cat_build_more_time(struct cat_buf *out, uint8_t number, struct sg_error *err);
int cat_build_poll_interval(struct cat_buf *out, uint8_t number, const struct cat_duration *d, struct sg_error *err);

/* file_list: Number of files || paths (each from 3F00), as TS 102 223 8.18 codes it; NULL when the mode needs
 * none. aid: NULL or the application to refresh. */
int cat_build_refresh(struct cat_buf *out, uint8_t number, enum cat_refresh_mode mode, const uint8_t *file_list,
		      size_t file_list_len, const uint8_t *aid, size_t aid_len, struct sg_error *err);

struct cat_get_input {
	const char *text;
	enum cat_text_coding coding;
	uint8_t qualifier; /* CAT_QUAL_INPUT_* / CAT_QUAL_HELP_AVAILABLE */
	uint8_t min_len, max_len;
	const char *default_text; /* NULL: none */
};
int cat_build_get_input(struct cat_buf *out, uint8_t number, const struct cat_get_input *p, struct sg_error *err);
int cat_build_get_inkey(struct cat_buf *out, uint8_t number, const char *text, enum cat_text_coding coding,
			uint8_t qualifier, struct sg_error *err);

/* SET UP MENU: n_items 0 removes the menu (null item). */
int cat_build_set_up_menu(struct cat_buf *out, uint8_t number, const char *title, const struct cat_item *items,
			  size_t n_items, uint8_t qualifier, struct sg_error *err);
/* SELECT ITEM: title NULL for none; default_item 0 for none. */
int cat_build_select_item(struct cat_buf *out, uint8_t number, const char *title, const struct cat_item *items,
			  size_t n_items, uint8_t default_item, uint8_t qualifier, struct sg_error *err);

/* SEND USSD: dcs is the USSD (CBS) data coding scheme; data the coded string. */
int cat_build_send_ussd(struct cat_buf *out, uint8_t number, const char *alpha, uint8_t dcs, const uint8_t *data,
			size_t len, struct sg_error *err);

/* ---- TERMINAL RESPONSE (terminal side) ---- */
struct cat_tr {
	uint8_t number, type, qualifier; /* the command details, echoed exactly */
	uint8_t result;
	const uint8_t *addl; /* additional information (mandatory for 20, 21, 34, 35, 37 ...) */
	size_t addl_len;
	/* command-specific objects, each optional */
	bool has_text; /* GET INPUT / GET INKEY: text 8D (text NULL: null text string) */
	const char *text;
	enum cat_text_coding text_coding;
	int item_id; /* SELECT ITEM: 90; -1 none */
	const struct cat_location *location; /* PROVIDE LOCAL INFO: 93 */
	const char *imei; /* PROVIDE LOCAL INFO: 94, 15 digits */
	struct cat_duration duration; /* POLL INTERVAL: 84 (interval 0: none) */
	uint8_t timer_id; /* TIMER MANAGEMENT: A4 (0: none) */
	bool has_timer_value; /* TIMER MANAGEMENT: A5 */
	uint32_t timer_seconds;
	const uint8_t *extra; /* further objects, already coded (e.g. date-time 26, language 2D) */
	size_t extra_len;
};
/* Initialise tr to answer a decoded proactive command (details copied) with a general result. */
struct cat_decoded;
void cat_tr_init(struct cat_tr *tr, const struct cat_decoded *cmd, uint8_t result);
int cat_build_terminal_response(struct cat_buf *out, const struct cat_tr *tr, struct sg_error *err);

/* ---- ENVELOPEs (terminal side) ---- */
/* sc: service centre address (RP originating address) or NULL; tpdu: the SMS-DELIVER. */
int cat_build_sms_pp_download(struct cat_buf *out, const struct cat_address *sc, const uint8_t *tpdu,
			      size_t tpdu_len, struct sg_error *err);
int cat_build_ussd_download(struct cat_buf *out, uint8_t dcs, const uint8_t *data, size_t len, struct sg_error *err);

struct cat_event_download {
	uint8_t event;
	uint8_t source; /* 0: the usual one (network for MT call, terminal otherwise) */
	bool has_location_status;
	uint8_t location_status;
	const struct cat_location *location; /* with location status "normal service" */
	const char *language; /* 2 letters, language selection event */
	const uint8_t *extra; /* further event objects, already coded */
	size_t extra_len;
};
int cat_build_event_download(struct cat_buf *out, const struct cat_event_download *p, struct sg_error *err);
int cat_build_timer_expiration(struct cat_buf *out, uint8_t timer_id, uint32_t seconds, struct sg_error *err);
int cat_build_menu_selection(struct cat_buf *out, uint8_t item_id, bool help_request, struct sg_error *err);

/* CALL CONTROL: exactly one of address, ss (as digits) or ussd (dcs + data). */
struct cat_call_control {
	const struct cat_address *address;
	const struct cat_address *ss;
	bool has_ussd;
	uint8_t ussd_dcs;
	const uint8_t *ussd;
	size_t ussd_len;
	const struct cat_location *location;
};
int cat_build_call_control(struct cat_buf *out, const struct cat_call_control *p, struct sg_error *err);

/* ---- decoder ---- */

enum cat_kind {
	CAT_KIND_UNKNOWN,
	CAT_KIND_PROACTIVE,
	CAT_KIND_TERMINAL_RESPONSE,
	CAT_KIND_ENVELOPE,
};

enum cat_val_type {
	CAT_VAL_RAW,	    /* only the bytes (unknown or opaque objects, or a value that broke a rule) */
	CAT_VAL_EMPTY,	    /* help request, immediate response */
	CAT_VAL_CMD_DETAILS,
	CAT_VAL_DEVICE_IDS,
	CAT_VAL_RESULT,
	CAT_VAL_DURATION,
	CAT_VAL_TEXT,	    /* text string, default text, alpha identifier */
	CAT_VAL_ADDRESS,    /* address, SS string */
	CAT_VAL_USSD,
	CAT_VAL_TPDU,
	CAT_VAL_TONE,
	CAT_VAL_ITEM,
	CAT_VAL_ITEM_ID,
	CAT_VAL_RESPONSE_LENGTH,
	CAT_VAL_LOCATION,
	CAT_VAL_IMEI,
	CAT_VAL_EVENT_LIST,
	CAT_VAL_LOCATION_STATUS,
	CAT_VAL_ICON_ID,
	CAT_VAL_TIMER_ID,
	CAT_VAL_TIMER_VALUE,
	CAT_VAL_DATETIME,
	CAT_VAL_LANGUAGE,
	CAT_VAL_FILE_LIST,
};

/* Text value: coding is the DCS byte for text strings, or for alpha identifiers 0x00 (GSM), 0x80, 0x81, 0x82.
 * utf8 is NULL for a null (empty) text. */
struct cat_text_val {
	uint8_t coding;
	char *utf8;
};

struct cat_obj {
	uint16_t tag;
	bool cr;
	size_t offset; /* of the tag in the decoded bytes */
	const uint8_t *val; /* points into the decoded bytes */
	size_t len;
	const char *name;
	enum cat_val_type type;
	char *error; /* the rule this object broke, NULL if none */
	union {
		struct {
			uint8_t number, type, qualifier;
		} details;
		struct {
			uint8_t src, dst;
		} dev;
		struct {
			uint8_t general;
			const uint8_t *addl;
			size_t addl_len;
		} result;
		struct {
			uint8_t unit, interval;
			uint32_t ms;
		} duration;
		struct cat_text_val text;
		struct cat_address address;
		struct {
			uint8_t dcs;
			char *utf8; /* NULL when the DCS says 8-bit data */
		} ussd;
		struct {
			uint8_t mti; /* TP-MTI, first octet b1b0 */
		} tpdu;
		uint8_t byte; /* tone, item id, timer id, location status */
		struct {
			uint8_t id;
			char *utf8; /* NULL for the null item */
			bool null_item;
		} item;
		struct {
			uint8_t min, max;
		} rsp_len;
		struct cat_location location;
		char imei[17];
		struct {
			uint8_t hh, mm, ss;
			uint32_t seconds;
		} timer;
		struct {
			uint16_t year;
			uint8_t month, day, hour, minute, second;
			bool tz_known; /* FF: time zone not available */
			int tz_quarters; /* offset from UTC in quarters of an hour */
		} datetime;
		struct {
			uint8_t qualifier, record;
		} icon;
		char language[3];
		struct {
			uint8_t n_files;
		} files;
	} v;
};

struct cat_decoded {
	enum cat_kind kind;
	uint8_t ber_tag; /* D0, D1..DD; 0 for a terminal response */
	bool has_details;
	uint8_t number, type, qualifier; /* command details (proactive command, terminal response) */
	bool has_devices;
	uint8_t src, dst;
	bool has_result; /* terminal response */
	uint8_t result;
	unsigned int n_objs;
	struct cat_obj *objs;
	/* Set when the bytes broke a rule: the first one, where it was, and the general result a terminal
	 * answers a proactive command with (31 type not understood, 32 data not understood, 36 values missing). */
	bool valid;
	char error[160];
	size_t error_offset;
	uint8_t tr_result;
};

/* Decode a proactive command, terminal response or envelope. *out (talloc child of ctx, free with talloc_free)
 * is always set unless out of memory, and holds as much as could be decoded. Returns 0 when the bytes follow
 * every rule, -1 with err (same text as (*out)->error) when not. */
int cat_decode(void *ctx, const uint8_t *buf, size_t len, struct cat_decoded **out, struct sg_error *err);

/* The nth (0-based) object with this tag, or NULL. */
const struct cat_obj *cat_decoded_find(const struct cat_decoded *d, uint16_t tag, unsigned int nth);

/* Kind as text: "proactive command", "terminal response", "envelope". */
const char *cat_kind_name(enum cat_kind kind);

/* JSON rendering for `simtool cat decode` (new reference; json_decref when done), NULL when out of memory. */
json_t *cat_decoded_to_json(const struct cat_decoded *d);
