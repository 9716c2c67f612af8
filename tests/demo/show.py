#!/usr/bin/env python3
"""Readable views for `make demo` (tests/demo.sh): the handset's state file, a command followed from the request
to its final state with the secured packet the server sent and the PoR(s) the card sent back, and the audit log.

Nothing here makes up a value: the packet is the one ota-server sent for the command, as its API hands it out
(`otactl --json commands attempts`, GET /v1/commands/ID/attempts), decoded and checked by `otactl packet verify`
with the card's keys (as the card does); the PoRs are the ones the handset sent back (its state file, "mo"),
decoded by `otactl packet decode-por`; states and the card's result come from the API too (`otactl --json commands
status`). The server's database is never opened. Only the Python standard library is used.

    show.py wait STATE_FILE EXPR [SECONDS]        until EXPR (Python, `s` = the state) holds; exit 1 on timeout
    show.py get STATE_FILE EXPR                   print EXPR's value
    show.py handset STATE_FILE                    the handset: power, service, screen, tone, user data
    show.py view STATE_FILE COPY EXPR             wait for EXPR, show the handset, copy its state file to COPY
    show.py follow ID T0_MS                       poll the command until final, then print the exchange
    show.py audit                                 the audit log (otactl --json audit list) as a table
    show.py vty PORT COMMAND...                   run VTY commands in enable mode, print their output
    show.py totp BASE32_SECRET                    the RFC 6238 code of now (SHA-1, 6 digits, 30 s)
    show.py stored ID                             the first packet ota-server sent for command ID, in hex
    show.py tpdu PACKET                           the SMS-DELIVER a network would bring it in (from 12345)
    show.py timeline T0_MS [WHAT]                 the components' log lines since T0_MS (WHAT happened then)
    show.py adn                                   EF.ADN record 1 from `simtool --json apdu` (stdin), decoded
Environment: OTACTL (binary), DEMO_STATE (handset state file), DEMO_PROFILE (the card profile: keys to open
packets), DEMO_LOGS (NAME=LOG,... for the timelines), and otactl's own OTACTL_* connection variables (the
identity asking: follow, stored and audit go through the API).
"""
import json
import os
import sys
import time

# Other modules are imported where they are used: the demo starts this helper some forty times.

COL = 12  # width of the left column ("ota-server", "card", ...)
FINAL = ("confirmed", "rejected", "expired", "cancelled")


def line(who, text=""):
    print("%-*s %s" % (COL, who, text))


def more(text):
    print("%-*s %s" % (COL, "", text))


def load_state(path):
    with open(path) as f:
        return json.load(f)


def cmd_wait(path, expr, seconds="10"):
    end = time.time() + float(seconds)
    while True:
        try:
            if eval(expr, {}, {"s": load_state(path)}):
                return 0
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass  # not written yet, or not that far yet
        if time.time() > end:
            print("demo: the handset did not reach %s within %s s" % (expr, seconds), file=sys.stderr)
            return 1
        time.sleep(0.05)


def cmd_view(path, copy_to, expr):
    """Wait for EXPR (10 s at most), then show the handset and keep a copy of its state file."""
    import shutil
    rc = cmd_wait(path, expr, "10")
    cmd_handset(path)
    shutil.copyfile(path, copy_to)
    return rc


def cmd_get(path, expr):
    print(eval(expr, {}, {"s": load_state(path)}))
    return 0


def quoted(text):
    return '"%s"' % text.replace("\n", " / ") if text else "(none)"


def cmd_handset(path):
    s = load_state(path)
    screen = s["toolkit"]["screen"]
    line("handset", "power %s (power-ups: %d), IMEI %s, card %s" %
         (s["power"], s["power_ups"], s["imei"], s["card"]["state"]))
    more("service:    %s (%s)" % (s["service"], s["service_text"]))
    more("display:    %s%s" % (quoted(screen["display"]),
                               " (high priority, waits for the user)" if screen["display_wait_for_user"] else ""))
    more("idle text:  %s" % quoted(screen["idle_text"]))
    tone = screen["tone"]
    if tone["playing"]:
        more("tone:       %s, %d s, \"%s\"%s" % (tone["name"], tone["duration_ms"] // 1000, tone["alpha"],
                                                ", vibrating" if tone["vibrate"] else ""))
    else:
        more("tone:       silent")
    ud = s["user_data"]
    if ud["state"] == "open":
        data = ud.get("data") or {}
        contacts = ", ".join("%s %s" % (c.get("name"), c.get("number")) for c in data.get("contacts", []))
        notes = ", ".join(quoted(n if isinstance(n, str) else n.get("text", "")) for n in data.get("notes", []))
        more("user data:  open - contacts: %s; notes: %s" % (contacts or "none", notes or "none"))
    else:
        more("user data:  %s%s" % (ud["state"], " (%s)" % ud["error"] if ud.get("error") else ""))
    if s.get("call", {}).get("number"):
        c = s["call"]
        more("last call:  %s: %s%s" % (c["number"], c["result"], " - " + c["text"] if c["text"] else ""))
    return 0


def otactl(*args, check=True):
    import subprocess
    p = subprocess.run([os.environ["OTACTL"]] + list(args), capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit("demo: otactl %s: %s" % (" ".join(args[:3]), p.stderr.strip() or p.stdout.strip()))
    return p.returncode, p.stdout


def spaced(hexstr):
    return " ".join(hexstr[i:i + 2] for i in range(0, len(hexstr), 2))


def hex_block(who, hexstr, note):
    """Bytes 24 to a line, then the note."""
    rows = [spaced(hexstr[i:i + 48]) for i in range(0, len(hexstr), 48)]
    line(who, rows[0])
    for r in rows[1:]:
        more(r)
    more("(%d bytes%s)" % (len(hexstr) // 2, note))


def keyset(kvn):
    """KIc and KID of keyset KVN from the card profile (the demo card's published test keys)."""
    with open(os.environ["DEMO_PROFILE"]) as f:
        for ks in json.load(f)["ota"]["keysets"]:
            if ks["kvn"] == kvn:
                return ks["kic"]["key"], ks["kid"]["key"]
    sys.exit("demo: keyset %d is not in the card profile" % kvn)


def key_env(kvn):
    kic, kid = keyset(kvn)
    os.environ["DEMO_KIC"], os.environ["DEMO_KID"] = kic, kid
    return ["--kic-key", "env:DEMO_KIC", "--kid-key", "env:DEMO_KID"]


ORIGIN = {1: "owner", 2: "operator"}
TAGS = {0x80: "origin", 0x81: "message", 0x82: "contact", 0x83: "owner proof", 0x84: "duration",
        0x85: "owner key", 0x86: "tone"}
RESULT_TAGS = {0x90: "state", 0x91: "location", 0x92: "IMEI", 0x93: "records cleared", 0x94: "service",
               0x95: "flags", 0x98: "previous IMEI"}


def tlvs(data):
    """One-byte tags, BER lengths (antitheft-protocol.md section 2); yields (tag, value)."""
    i = 0
    while i + 2 <= len(data):
        tag, n = data[i], data[i + 1]
        i += 2
        if n == 0x81:
            n, i = data[i], i + 1
        yield tag, data[i:i + n]
        i += n


def command_tlv(tag, v):
    if tag == 0x80:
        return ORIGIN.get(v[0], v.hex())
    if tag in (0x81, 0x82):
        return quoted(v.decode(errors="replace"))
    if tag == 0x84:
        return "%d s" % int.from_bytes(v, "big")
    if tag == 0x85:
        return "(%d bytes, derived from the owner's secret; not shown)" % len(v)
    return v.hex().upper()


def bcd_plmn(b):
    d = [b[0] & 15, b[0] >> 4, b[1] & 15, b[2] & 15, b[2] >> 4, b[1] >> 4]
    mcc = "".join(str(x) for x in d[:3])
    mnc = "".join(str(x) for x in d[3:] if x != 15)
    return mcc, mnc


def result_tlv(tag, v):
    if tag == 0x91:
        mcc, mnc = bcd_plmn(v)
        return "MCC %s MNC %s LAC %d cell %d" % (mcc, mnc, int.from_bytes(v[3:5], "big"), int.from_bytes(v[5:], "big"))
    if tag in (0x92, 0x98):
        return v.decode(errors="replace")
    if tag == 0x90:
        return {0: "normal", 1: "locked", 2: "disabled"}.get(v[0], v.hex())
    if tag == 0x93:
        return str(int.from_bytes(v, "big"))
    if tag == 0x95:
        names = ("locked by owner", "locked by operator", "opted out", "owner enrolled", "user data key destroyed",
                 "handset-change report waiting")
        return "%02X: %s" % (v[0], ", ".join(n for i, n in enumerate(names) if v[0] >> i & 1) or "none")
    if tag == 0x94:
        return {0: "00 normal service", 6: "06 limited service", 0x20: "20 unable"}.get(v[0], v.hex())
    return v.hex().upper()


def show_tlvs(data, names, render):
    for tag, v in tlvs(data):
        more("             %02X %-15s %s" % (tag, names.get(tag, "?"), render(tag, v)))


def sent_packets(cmd_id):
    """The command's attempts as the API gives them (oldest first): kvn, cntr, packet (hex), sent_at, msgid."""
    return json.loads(otactl("--json", "commands", "attempts", str(cmd_id))[1])["attempts"]


def show_packet(kvn, pkt):
    rc, out = otactl("packet", "verify", *key_env(kvn), pkt, check=False)
    v = json.loads(out)
    sf = v["spi_fields"]
    hex_block("  packet", pkt, "; the SMS-PP user data: header 02 70 00, then these")
    more("  CPL %d  CHL %d  SPI %s  KIc %s  KID %s  TAR %s" %
         (v["cpl"], v["chl"], spaced(v["spi"]), v["kic"], v["kid"], spaced(v["tar"])))
    more("  SPI   %s, %s, counter %s; PoR %s, %s, %s, by %s" %
         (sf["checksum"], "ciphered" if sf["ciphering"] else "not ciphered", "must be " + sf["counter"]
          if sf["counter"] != "none" else "not checked", sf["por"], sf["por_checksum"],
          "ciphered" if sf["por_ciphered"] else "not ciphered", sf["por_via"]))
    more("  KIc   keyset %d, %s      KID  keyset %d, %s" %
         (v["kic_fields"]["kvn"], v["kic_fields"]["algorithm"], v["kid_fields"]["kvn"], v["kid_fields"]["algorithm"]))
    more("  inside the ciphertext (opened with the card's KIc, as the card does):")
    more("  CNTR  %d (%s)   PCNTR %d padding byte(s)   CC %s %s with the KID" %
         (v["cntr"], spaced("%010X" % v["cntr"]), v["pcntr"], v["integrity"]["value"], v["integrity"]["result"]))
    data = bytes.fromhex(v["data"])
    if len(data) >= 8 and data[:4].isalpha():
        more("  data  %s, request id %s" % (data[:4].decode(), data[4:8].hex().upper()))
        show_tlvs(data[8:], TAGS, command_tlv)
    else:
        more("  data  %s" % v["data"])
    if rc != 0:
        sys.exit("demo: the sent packet does not verify with the card's keys")
    return v


def pors_for(kvn, cntr, spi, kic, kid, tar):
    """(MO message, otactl's exit code, its JSON) of the PoRs in the handset's MO messages that answer counter
    CNTR, oldest first. Newest first the search stops at a PoR for a lower counter (an earlier command's)."""
    import re
    found = []
    for m in reversed(load_state(os.environ["DEMO_STATE"])["mo"]):
        if not m["ud"].upper().startswith("027100"):
            continue
        rc, out = otactl("packet", "decode-por", "--spi", spi, "--kic", kic, "--kid", kid, "--tar", tar, "--cntr",
                         str(cntr), *key_env(kvn), "--udh", m["ud"], check=False)
        p = json.loads(out)
        other = re.search(r"echoes counter (\d+)", p.get("error", ""))
        if other and int(other.group(1)) < cntr:
            break
        if not other:
            found.insert(0, (m, rc, p))
    return found


def show_pors(kvn, cntr, spi, kic, kid, tar):
    found = pors_for(kvn, cntr, spi, kic, kid, tar)
    for n, (m, rc, p) in enumerate(found, 1):
        hex_block("  PoR %d" % n, m["ud"], ", the user data of the handset's MO message to %s" % m["to"])
        if rc != 0:
            more("  does NOT verify: %s" % p.get("error", p["checksum"]["result"]))
            continue
        more("  TAR %s  CNTR %d  PCNTR %d  status %02X \"%s\"  CC %s %s" %
             (spaced(p["tar"]), p["cntr"], p["pcntr"], p["status"]["code"], p["status"]["name"],
              p["checksum"].get("value", ""), p["checksum"]["result"]))
        data = bytes.fromhex(p["data"])
        if data:
            more("  data  result %s" % data[:2].decode(errors="replace"))
            show_tlvs(data[2:], RESULT_TAGS, result_tlv)
    if not found:
        line("  PoR", "none came back for counter %d" % cntr)


def follow(cmd_id, t0_ms, timeout=40):
    """Poll the command every 0.1 s; print each state when first seen, with the time since the request."""
    seen, c = None, None
    end = time.time() + timeout
    while time.time() < end:
        c = json.loads(otactl("--json", "commands", "status", str(cmd_id))[1])
        if c["state"] != seen:
            seen = c["state"]
            line("polled", "state %-18s %5.0f ms after the request (otactl commands status, every 0.1 s)" %
                 (seen, time.time() * 1000 - t0_ms))
        if seen in FINAL:
            return c
        time.sleep(0.1)
    sys.exit("demo: command %s did not finish within %d s (state %s)" % (cmd_id, timeout, seen))


def log_events(name, path, since_ms):
    """(ms, component, text) of PATH's lines from SINCE_MS on (extended time stamps: YYYYMMDDhhmmssmmm, local)."""
    import re
    log_line = re.compile(r"^(\d{17}) (D\w+) (\w+) (?:\S+\.c:\d+ )?(.*)$")
    events = []
    try:
        with open(path, errors="replace") as f:
            for text in f:
                m = log_line.match(text.rstrip("\n"))
                if not m or m.group(2) == "DLGLOBAL" or " GET /v1/" in m.group(4):
                    continue  # VTY chatter and the demo's own status polls
                ts = m.group(1)
                ms = time.mktime(time.strptime(ts[:14], "%Y%m%d%H%M%S")) * 1000 + int(ts[14:])
                if ms >= since_ms:
                    events.append((ms, name, m.group(4)))
    except OSError:
        pass
    return events


def show_timeline(t0_ms, since="the request"):
    """What the components logged since the request, merged in time order (DEMO_LOGS: NAME=PATH,...)."""
    import re
    events = []
    for item in os.environ.get("DEMO_LOGS", "").split(","):
        if "=" in item:
            name, path = item.split("=", 1)
            events += log_events(name, path, t0_ms - 5)
    line("timeline", "(from the components' logs; ms after %s)" % since)
    for ms, name, text in sorted(events, key=lambda e: e[0]):
        text = re.sub(r"^\S+ port \d+ ", "", text)  # the client's address of an HTTP request
        if len(text) > 80:
            text = text[:77] + "..."
        more("%+7.0f  %-11s %s" % (ms - t0_ms, name, text))


def flat(value):
    """A result object as "name value, ..." (nested objects in parentheses)."""
    if isinstance(value, dict) and value and all(isinstance(v, bool) for v in value.values()):
        return ", ".join(k.replace("_", " ") for k, v in sorted(value.items()) if v) or "none"
    if isinstance(value, dict):
        return ", ".join("%s %s" % (k.replace("_", " "), flat(v) if not isinstance(v, dict) else "(%s)" % flat(v))
                         for k, v in sorted(value.items()))
    return str(value)


def cmd_follow(cmd_id, t0_ms):
    c = follow(int(cmd_id), float(t0_ms))
    for n, a in enumerate(sent_packets(int(cmd_id)), 1):
        line("sent", "attempt %d (otactl commands attempts): keyset %d, counter %d, SMSC message id %s, %s UTC" %
             (n, a["kvn"], a["cntr"], a["msgid"], time.strftime("%H:%M:%S", time.gmtime(a["sent_at"]))))
        v = show_packet(a["kvn"], a["packet"])
        line("came back", "(PoRs the handset sent back for counter %d)" % a["cntr"])
        show_pors(a["kvn"], a["cntr"], v["spi"], v["kic"], v["kid"], v["tar"])
    por = c.get("por_status")
    line("result", "%s - %s%s" % (c["state"], c.get("detail", ""),
                                  " (PoR status %02X)" % por["code"] if por else ""))
    if c.get("result"):
        more(flat(c["result"]))
    loc = (c.get("result") or {}).get("location")
    if c["command"] == "locate" and loc:
        line("located", "cell %s, LAC %s, MCC %s MNC %s; the card is in the handset with IMEI %s" %
             (loc.get("cell"), loc.get("lac"), loc.get("mcc"), loc.get("mnc"), c["result"].get("imei")))
    show_timeline(float(t0_ms))
    if c["state"] != "confirmed":
        return 1
    return 0


def cmd_audit():
    entries = []
    while True:  # the API answers a page at a time
        page = json.loads(otactl("--json", "audit", "list", "--after", str(entries[-1]["seq"] if entries else 0))[1])
        page = page.get("entries", []) if isinstance(page, dict) else page
        entries += page
        if len(page) < 1000:  # a full page means more may follow
            break
    polls = [e for e in entries if e["action"].startswith("GET ")]
    print("  %4s  %-8s  %-18s  %-8s  %3s  %-48s  %s" % ("seq", "time", "actor", "decision", "st", "action",
                                                       "detail"))
    for e in entries:
        if e["action"].startswith("GET "):
            continue
        print("  %4d  %-8s  %-18s  %-8s  %3d  %-48s  %s" %
              (e["seq"], time.strftime("%H:%M:%S", time.gmtime(e["at"])), e["actor"], e["decision"], e["status"],
               e["action"], e["detail"]))
    print("  (%d entries in all; the %d read-only GET entries - mostly the demo's status polls - are not shown)" %
          (len(entries), len(polls)))
    return 0


def vty_read(sock):
    """Everything up to the next prompt ("...> " or "...# ")."""
    import re
    out = b""
    while not out.rstrip().endswith((b">", b"#")):
        d = sock.recv(65536)
        if not d:
            break
        out += d
    out = re.sub(rb"\xff[\xfb-\xfe].", b"", out)  # telnet option negotiation (IAC WILL/WONT/DO/DONT x)
    return bytes(b for b in out if 0x20 <= b < 0x7F or b == 0x0A).decode()


def cmd_vty(port, *commands):
    import socket
    with socket.create_connection(("127.0.0.1", int(port)), 5) as sock:
        sock.settimeout(10)
        prompt = vty_read(sock).strip().split("\n")[-1].rstrip(">").strip()  # the host name, e.g. "handset-sim"
        for c in ("enable",) + commands:
            sock.sendall(c.encode() + b"\r\n")
            lines = [t for t in vty_read(sock).split("\n") if t.strip() and t.strip() != c and not t.startswith(prompt)]
            if c != "enable":
                more("> " + c)
            for text in lines if c != "enable" else []:
                more("  " + text)
            if any(text.startswith("%") for text in lines):
                return 1
    return 0


def adn_number(b):
    """TS 31.102 4.4.2.3: length, TON/NPI, BCD digits (F-filled)."""
    n = b[0]
    if n == 0xFF or n < 2:
        return ""
    nibbles = [d for x in b[2:1 + n] for d in (x & 15, x >> 4)]
    digits = "".join("0123456789*#abc"[d] for d in nibbles if d != 15)
    return ("+" if b[1] == 0x91 else "") + digits


def cmd_adn():
    ex = json.load(sys.stdin)["exchanges"]
    rec = bytes.fromhex(ex[-1]["response"])
    line("card", "EF.ADN record 1: %s (SW %s)" % (spaced(rec.hex().upper()), ex[-1]["sw"]))
    if rec and all(b == 0xFF for b in rec):
        more("  empty (all FF)")
    elif rec:
        alpha = rec[:-14].rstrip(b"\xff").decode(errors="replace")
        more("  contact %s, number %s" % (quoted(alpha), adn_number(rec[-14:])))
    return 0


def cmd_totp(secret):
    import base64
    import hmac
    import struct
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
    off = mac[-1] & 15
    print("%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000))
    return 0


def cmd_stored(cmd_id):
    print(sent_packets(int(cmd_id))[0]["packet"])
    return 0


def cmd_tpdu(packet):
    """SMS-DELIVER (TS 23.040): MTI 00, MMS, UDHI; TP-OA 12345; PID 7F (USIM data download); DCS F6; SCTS now
    (UTC, semi-octets); the user data: header 02 70 00 (command packet), then the packet."""
    ud = bytes.fromhex("027000" + packet)
    now = time.gmtime()
    scts = bytes((v % 10) << 4 | (v % 100) // 10
                 for v in (now.tm_year, now.tm_mon, now.tm_mday, now.tm_hour, now.tm_min, now.tm_sec, 0))
    tpdu = bytes([0x44, 5, 0x81, 0x21, 0x43, 0xF5, 0x7F, 0xF6]) + scts + bytes([len(ud)])
    print((tpdu + ud).hex().upper())
    return 0


def cmd_timeline(t0_ms, since="T0"):
    show_timeline(float(t0_ms), since)
    return 0


def main(argv):
    cmds = {"wait": cmd_wait, "get": cmd_get, "handset": cmd_handset, "follow": cmd_follow, "audit": cmd_audit,
            "vty": cmd_vty, "adn": cmd_adn, "totp": cmd_totp, "view": cmd_view,
            "stored": cmd_stored, "tpdu": cmd_tpdu, "timeline": cmd_timeline}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
