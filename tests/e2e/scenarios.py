"""What real Haraka 3.3.4 does with a given config: one row per setup, observed on loopback.

Each scenario is config files + our stand-in plugins + SMTP sends, and the replies Haraka
really gave (`expect`: stage -> code, `expect_text`: stage -> substring of the reply text).
Stages are banner, ehlo/helo, mail, rcpt:<address>, data (the DATA command) and data_end
(the reply after the final dot). `log_has` / `log_lacks` are regexes matched against the raw
lines, written to match the same line in every log format. These rows document Haraka's
real behaviour; the e2e tests assert them first and then hold mxdoctor to them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PLUGIN_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "haraka_plugins"
UNUSED_PORT = "@UNUSED_PORT@"      # replaced by a loopback port nobody listens on
CLIENT_IP = "127.0.0.1"

# Lines Haraka prints at start-up outside its logger (console.log), in every log format.
_TS = r"^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z )?"   # log.ini timestamps=true prefix
STARTUP_NOISE = tuple(_TS + p for p in (
    r"Using iconv-lite only\. To support rare encodings: npm install iconv$",
    r"loglevel: [A-Z]+$",
    r"log format: (DEFAULT|LOGFMT|JSON)$",
    r"Starting up Haraka version \d+\.\d+\.\d+$",
    r"loaded TLD files: (\d+=\d+ ?)+$",
    r"loaded Public Suffixes: \d+\s*$",
))
# Start-up lines printed through Haraka's logger that carry nothing to diagnose. The parser may
# leave these as kind 'other', but must still have read their level (so it knew the shape).
LOGGED_STARTUP_NOISE = (
    r"smtp\.ini\.nodes unset, using \d+, see https://github\.com/haraka/Haraka/wiki/Performance-Tuning",
    r"\bloading tls\.ini\b",
)


@dataclass
class Send:
    """One SMTP transaction and the replies real Haraka gave to it."""
    helo: str
    mail_from: str
    rcpts: list[str]
    expect: dict[str, int | None]
    expect_text: dict[str, str] = field(default_factory=dict)
    esmtp: bool = True
    date_header: bool = True
    # recipients the user database does not know: the simulator cannot see wildduck's
    # database, so it is told (the stand-in's database is config/wildduck_users)
    unknown_users: list[str] = field(default_factory=list)

    def headers(self) -> dict[str, str]:
        h = {"From": f"<{self.mail_from}>", "To": ", ".join(f"<{r}>" for r in self.rcpts),
             "Subject": "mxdoctor e2e", "Message-ID": "<e2e@mxdoctor.test>"}
        if self.date_header:
            h["Date"] = "Mon, 01 Jan 2024 00:00:00 +0000"
        return h

    def envelope(self) -> dict:
        env = {"ip": CLIENT_IP, "helo": self.helo, "from": self.mail_from, "rcpt": list(self.rcpts),
               "headers": self.headers()}
        if self.unknown_users:
            env["unknown_users"] = list(self.unknown_users)
        return env


@dataclass
class Scenario:
    id: str
    summary: str
    config: dict[str, str]
    plugins: list[str]                      # stand-in plugins copied into the instance's plugins/
    sends: list[Send]
    log_has: list[str] = field(default_factory=list)
    log_lacks: list[str] = field(default_factory=list)
    # parsed events that must be there: (kind, {field: value}) with Haraka's own field names
    events: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # simulator claims checked besides reply codes: (hook, target) -> plugins that must be shadowed
    sim_shadowed: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)
    sim_answered_by: dict[tuple[str, str | None], str] = field(default_factory=dict)
    sim_outcome: str | None = None

    def plugin_files(self) -> dict[str, str]:
        return {f"{name}.js": (PLUGIN_FIXTURES / f"{name}.js").read_text() for name in self.plugins}

    def config_for_run(self, unused_port: int) -> dict[str, str]:
        return {name: text.replace(UNUSED_PORT, str(unused_port)) for name, text in self.config.items()}


HELO = "client.example.net"
SENDER = "sender@example.net"
LOCAL = "example.com"                 # the domain in host_list
ALICE = "alice@example.com"           # a wildduck user in a host_list domain
BOB = "bob@other.test"                # a wildduck user outside host_list
NOBODY = "nobody@other.test"          # unknown everywhere
USERS = f"{ALICE}\n{BOB}\n"

OK_UNTIL_DATA = {"banner": 220, "ehlo": 250, "mail": 250, "data": 354}


def _expect(**codes: int | None) -> dict[str, int | None]:
    """Stage codes; rcpt stages are passed as rcpt=[(address, code), ...]."""
    out: dict[str, int | None] = dict(OK_UNTIL_DATA)
    for key, value in codes.items():
        if key == "rcpt":
            for address, code in value:
                out[f"rcpt:{address}"] = code
        else:
            out[key] = value
    return out


SCENARIOS: list[Scenario] = [
    Scenario(
        id="a_canonical_host_list_shadows_wildduck",
        summary="rcpt_to.in_host_list before wildduck, recipient domain in host_list: in_host_list "
                "answers OK at rcpt, wildduck never resolves the user, yet its queue hook still says "
                "250 Message processed and stores nothing",
        config={"plugins": "rcpt_to.in_host_list\nwildduck\n", "host_list": f"{LOCAL}\n",
                "wildduck_users": USERS},
        plugins=["wildduck"],
        sends=[Send(HELO, SENDER, [ALICE], _expect(rcpt=[(ALICE, 250)], data_end=250),
                    expect_text={"data_end": "Message processed"})],
        log_has=[r"hook=rcpt.*plugin=rcpt_to\.in_host_list|\"plugin\":\"rcpt_to\.in_host_list\"",
                 r"Message processed"],
        log_lacks=[r"RESOLVED rcpt=", r"STORED rcpt="],
        events=[("hook_result", {"hook": "rcpt", "plugin": "rcpt_to.in_host_list", "retval": "OK"}),
                ("hook_result", {"hook": "queue", "plugin": "wildduck", "retval": "OK"})],
        sim_shadowed={("rcpt", ALICE): ["wildduck"]},
        sim_answered_by={("rcpt", ALICE): "rcpt_to.in_host_list", ("queue", None): "wildduck"},
        sim_outcome="processed_not_stored",
    ),
    Scenario(
        id="b_outside_host_list_wildduck_resolves",
        summary="same plugins, recipient outside host_list: in_host_list passes (CONT), wildduck "
                "resolves and stores",
        config={"plugins": "rcpt_to.in_host_list\nwildduck\n", "host_list": f"{LOCAL}\n",
                "wildduck_users": USERS},
        plugins=["wildduck"],
        sends=[Send(HELO, SENDER, [BOB], _expect(rcpt=[(BOB, 250)], data_end=250),
                    expect_text={"data_end": "Message processed"})],
        log_has=[rf"RESOLVED rcpt={BOB} user={BOB}\[", rf"STORED rcpt={BOB} user={BOB}\["],
        events=[("hook_result", {"hook": "rcpt", "plugin": "wildduck", "retval": "OK"})],
        sim_answered_by={("rcpt", BOB): "wildduck", ("queue", None): "wildduck"},
        sim_outcome="stored",
    ),
    Scenario(
        id="c_wildduck_alone_stores",
        summary="the fix: wildduck alone validates recipients, resolves and stores",
        config={"plugins": "wildduck\n", "host_list": f"{LOCAL}\n", "wildduck_users": USERS},
        plugins=["wildduck"],
        sends=[Send(HELO, SENDER, [ALICE], _expect(rcpt=[(ALICE, 250)], data_end=250),
                    expect_text={"data_end": "Message processed"})],
        log_has=[rf"RESOLVED rcpt={ALICE} user={ALICE}\[", rf"STORED rcpt={ALICE} user={ALICE}\["],
        sim_answered_by={("rcpt", ALICE): "wildduck"},
        sim_outcome="stored",
    ),
    Scenario(
        id="d_wildduck_unknown_user",
        summary="wildduck alone, unknown user: 550 5.1.1 at RCPT; with no recipient left DATA is "
                "refused; a second transaction mixing known and unknown keeps the known one",
        config={"plugins": "wildduck\n", "wildduck_users": USERS},
        plugins=["wildduck"],
        sends=[
            Send(HELO, SENDER, [NOBODY],
                 {"banner": 220, "ehlo": 250, "mail": 250, f"rcpt:{NOBODY}": 550, "data": 503},
                 expect_text={f"rcpt:{NOBODY}": "5.1.1 No such user"}, unknown_users=[NOBODY]),
            Send(HELO, SENDER, [BOB, NOBODY],
                 _expect(rcpt=[(BOB, 250), (NOBODY, 550)], data_end=250), unknown_users=[NOBODY]),
        ],
        log_has=[r"5\.1\.1 No such user", rf"STORED rcpt={BOB}"],
        events=[("hook_result", {"hook": "rcpt", "plugin": "wildduck", "retval": "DENY"}),
                ("recipient", {"code": "DENY"})],
    ),
    Scenario(
        id="e_no_queue_plugin",
        summary="recipient accepted but no plugin answers at queue: 451 at end of data; the text is "
                "only ' (<uuid>)', not Haraka's 'Queuing declined' default",
        config={"plugins": "rcpt_to.in_host_list\n", "host_list": f"{LOCAL}\n"},
        plugins=[],
        sends=[Send(HELO, SENDER, [ALICE], _expect(rcpt=[(ALICE, 250)], data_end=451))],
        log_has=[r"queue.*code.*CONT"],
        events=[("queue", {"code": "CONT"})],
        sim_outcome="queue_declined",
    ),
    Scenario(
        id="f_queue_standin",
        summary="a queue plugin that answers OK: 250 with its message",
        config={"plugins": "rcpt_to.in_host_list\nqueue_standin\n", "host_list": f"{LOCAL}\n"},
        plugins=["queue_standin"],
        sends=[Send(HELO, SENDER, [ALICE], _expect(rcpt=[(ALICE, 250)], data_end=250),
                    expect_text={"data_end": "Queued by stand-in"})],
        log_has=[r"QUEUED rcpts=1"],
        events=[("hook_result", {"hook": "queue", "plugin": "queue_standin", "retval": "OK"})],
        sim_answered_by={("queue", None): "queue_standin"},
    ),
    Scenario(
        id="g1_helo_checks_defaults_bare_ip",
        summary="helo.checks with its defaults and a bare-IP EHLO from loopback: every check is "
                "skipped for a private IP and nothing rejects by default",
        config={"plugins": "helo.checks\nrcpt_to.in_host_list\nqueue_standin\n",
                "host_list": f"{LOCAL}\n"},
        plugins=["queue_standin"],
        sends=[Send("192.0.2.1", SENDER, [ALICE], _expect(rcpt=[(ALICE, 250)], data_end=250))],
        log_has=[r"helo\.checks"],
    ),
    Scenario(
        id="g2_helo_checks_reject_bare_ip",
        summary="helo.checks with [reject] bare_ip=true and [skip] private_ip=false: a bare-IP EHLO "
                "is refused",
        config={"plugins": "helo.checks\nrcpt_to.in_host_list\nqueue_standin\n",
                "host_list": f"{LOCAL}\n",
                "helo.checks.ini": "[check]\nforward_dns=false\nrdns_match=false\n"
                                   "[reject]\nbare_ip=true\n[skip]\nprivate_ip=false\n"},
        plugins=["queue_standin"],
        sends=[Send("192.0.2.1", SENDER, [ALICE],
                    {"banner": 220, "ehlo": 550, "mail": 503, f"rcpt:{ALICE}": 503, "data": 503},
                    expect_text={"ehlo": "Invalid address format in HELO",
                                 "mail": "Use EHLO/HELO before MAIL"})],
        events=[("hook_result", {"hook": "ehlo", "plugin": "helo.checks", "retval": "DENY"})],
    ),
    Scenario(
        id="h_headers_missing_date",
        summary="headers plugin with defaults and a message without Date: accepted (the check only "
                "records a failure unless [reject] missing_required=true)",
        config={"plugins": "rcpt_to.in_host_list\nheaders\nqueue_standin\n", "host_list": f"{LOCAL}\n"},
        plugins=["queue_standin"],
        sends=[Send(HELO, SENDER, [ALICE], _expect(rcpt=[(ALICE, 250)], data_end=250),
                    date_header=False)],
    ),
    Scenario(
        id="h2_headers_missing_date_reject",
        summary="headers with [reject] missing_required=true: missing Date is refused after data",
        config={"plugins": "rcpt_to.in_host_list\nheaders\nqueue_standin\n", "host_list": f"{LOCAL}\n",
                "headers.ini": "[reject]\nmissing_required=true\n"},
        plugins=["queue_standin"],
        sends=[Send(HELO, SENDER, [ALICE], _expect(rcpt=[(ALICE, 250)], data_end=550),
                    expect_text={"data_end": "Required header 'Date' missing"}, date_header=False)],
        events=[("hook_result", {"hook": "data_post", "plugin": "headers", "retval": "DENY"})],
    ),
    Scenario(
        id="i_rcpt_plugin_timeout",
        summary="a rcpt plugin that never calls next(): after never_next.timeout seconds Haraka "
                "logs CRIT '... timed out on hook rcpt ...' and answers DENYSOFT 'plugin timeout' = 450",
        config={"plugins": "never_next\nrcpt_to.in_host_list\nqueue_standin\n",
                "host_list": f"{LOCAL}\n", "never_next.timeout": "2\n"},
        plugins=["never_next", "queue_standin"],
        sends=[Send(HELO, SENDER, [ALICE],
                    {"banner": 220, "ehlo": 250, "mail": 250, f"rcpt:{ALICE}": 450, "data": 503},
                    expect_text={f"rcpt:{ALICE}": "plugin timeout"})],
        log_has=[r"Plugin never_next timed out on hook rcpt - make sure it calls the callback"],
    ),
    Scenario(
        id="j_outside_host_list_only",
        summary="only rcpt_to.in_host_list, recipient outside host_list: 550 'I cannot deliver mail "
                "for <...>', while the log's recipient line says code=OK (Haraka logs CONT as OK)",
        config={"plugins": "rcpt_to.in_host_list\nqueue_standin\n", "host_list": f"{LOCAL}\n"},
        plugins=["queue_standin"],
        sends=[Send(HELO, SENDER, [NOBODY],
                    {"banner": 220, "ehlo": 250, "mail": 250, f"rcpt:{NOBODY}": 550, "data": 503},
                    expect_text={f"rcpt:{NOBODY}": f"I cannot deliver mail for <{NOBODY}>"})],
        log_has=[rf"recipient <{NOBODY}>.*code.*OK"],
        events=[("recipient", {"code": "OK"})],
    ),
    Scenario(
        id="k1_access_rcpt_blacklist",
        summary="access plugin with an address in rcpt_to.access.blacklist: 550 '<addr> That "
                "recipient is not allowed' before in_host_list is asked",
        config={"plugins": "access\nrcpt_to.in_host_list\nqueue_standin\n", "host_list": f"{LOCAL}\n",
                "rcpt_to.access.blacklist": f"{ALICE}\n"},
        plugins=["queue_standin"],
        sends=[Send(HELO, SENDER, [ALICE, f"carol@{LOCAL}"],
                    _expect(rcpt=[(ALICE, 550), (f"carol@{LOCAL}", 250)], data_end=250),
                    expect_text={f"rcpt:{ALICE}": "That recipient is not allowed"})],
        events=[("hook_result", {"hook": "rcpt", "plugin": "access", "retval": "DENY"})],
        sim_answered_by={("rcpt", ALICE): "access"},
    ),
    Scenario(
        id="k2_relay_acl_allows_loopback",
        summary="relay plugin with 127.0.0.1 in relay_acl_allow: the client relays, so a recipient "
                "outside host_list is accepted (CONT + relaying = OK) and the message goes to "
                "queue_outbound, which no plugin here hooks -> Haraka's outbound queue",
        config={"plugins": "relay\nrcpt_to.in_host_list\nqueue_standin\n", "host_list": f"{LOCAL}\n",
                "relay_acl_allow": "127.0.0.0/8\n"},
        plugins=["queue_standin"],
        sends=[Send(HELO, SENDER, [NOBODY], _expect(rcpt=[(NOBODY, 250)], data_end=250))],
        log_has=[r"hook\W+connect_init\W+plugin\W+relay\W+function\W+acl\b.*retval\W+OK",
                 r"relay\W+Y\W+early"],
        events=[("hook_result", {"hook": "connect_init", "plugin": "relay", "retval": "OK"})],
    ),
    Scenario(
        id="l_stock_plugins_smtp_forward_unreachable",
        summary="the stock config/plugins (mail_from.is_resolvable, rcpt_to.in_host_list, "
                "queue/smtp_forward) forwarding to a closed loopback port: smtp_forward never "
                "answers (the refused connection is not reported at INFO) until the plugin timeout "
                "(30 s by default, 3 s here via config/queue/smtp_forward.timeout), then CRIT "
                "timeout and 450 'plugin timeout'. The null sender <> keeps mail_from.is_resolvable "
                "out of DNS (it skips senders without a domain)",
        config={"plugins": "mail_from.is_resolvable\nrcpt_to.in_host_list\nqueue/smtp_forward\n",
                "host_list": f"{LOCAL}\n",
                "smtp_forward.ini": f"host=127.0.0.1\nport={UNUSED_PORT}\nenable_tls=false\n",
                "queue/smtp_forward.timeout": "3\n"},
        plugins=[],
        sends=[Send(HELO, "", [ALICE], _expect(rcpt=[(ALICE, 250)], data_end=450),
                    expect_text={"data_end": "plugin timeout"})],
        log_has=[r"forwarding to 127\.0\.0\.1:\d+",
                 r"Plugin queue/smtp_forward timed out on hook queue - make sure it calls the callback"],
        events=[("hook_result", {"hook": "queue", "plugin": "queue/smtp_forward", "retval": "DENYSOFT"}),
                ("queue", {"code": "DENYSOFT"})],
    ),
]

BY_ID = {s.id: s for s in SCENARIOS}
