"""The line explainer: every WARN+ line, refusal and 4xx/5xx reply is matched to its emitter, in each
log format, pasted whole or cut; lines no rule cites become findings; errors are never "no problem"."""
from __future__ import annotations

import json

from app.core.diagnose import diagnose
from app.core.explain import explain_events, explanation_findings
from app.core.logs.parser import parse_lines
from app.core.messages import message_index
from app.core.model import Evidence, Finding
from app.core.verdict import verdict

TLS_DEFAULT = "[ERROR] [-] [core] tls key /etc/haraka/config/tls_key.pem could not be loaded."
TLS_LOGFMT = 'level=ERROR uuid=- origin=core message="tls key /etc/haraka/config/tls_key.pem could not be loaded."'
TLS_JSON = json.dumps({"level": "ERROR", "uuid": "-", "origin": "core",
                       "message": "tls key /etc/haraka/config/tls_key.pem could not be loaded."})


def _explain(*lines: str, version: str | None = None):
    return explain_events(list(parse_lines(lines, "haraka.log")), version)


def test_a_core_error_is_matched_in_every_log_format():
    for line in (TLS_DEFAULT, TLS_LOGFMT, TLS_JSON, "Dec  5 10:00:00 mx haraka[12]: " + TLS_DEFAULT):
        [x] = _explain(line)
        assert x.matched and x.emitter == "core", line
        assert x.message.file == "tls_socket.js" and "tls.ini" in x.message.config_files


def test_a_refusal_names_the_plugin_and_what_it_means_for_the_mail():
    [x] = _explain('[INFO] [AB12.1] [core] hook=rcpt plugin=wildduck function=hook_rcpt params="<a@b.c>" '
                   'retval=DENYSOFT msg="Failed to process recipient, try again [ERRC03]"')
    assert x.category == "refusal" and x.emitter == "wildduck" and x.hook == "rcpt"
    assert x.matched and x.message.package == "haraka-plugin-wildduck"
    assert "temporarily" in x.effect and "retries" in x.effect


def test_a_reply_beside_its_refusal_is_not_listed_twice():
    lines = ['[INFO] [AB12.1] [core] hook=rcpt plugin=wildduck function=hook_rcpt params="<a@b.c>" '
             'retval=DENYSOFT msg="Failed to process recipient, try again [ERRC03]"',
             "[PROTOCOL] [AB12.1] [core] S: 451 Failed to process recipient, try again [ERRC03]"]
    xs = _explain(*lines)
    assert [x.category for x in xs] == ["refusal", "reply"]
    findings = explanation_findings(xs, [])
    assert len(findings) == 1 and findings[0].severity == "warning" and findings[0].source == "log"


def test_stack_frames_belong_to_the_error_before_them():
    lines = ["[CRIT] [-] [core] Caught exception: node:internal/modules/cjs/loader:1210",
             "[CRIT] [-] [core]   throw err;", "[CRIT] [-] [core]   ^", "[CRIT] [-] [core] ",
             "[CRIT] [-] [core] Error: Cannot find module 'mongodb'", "[CRIT] [-] [core] Require stack:",
             "[CRIT] [-] [core] - /opt/haraka/node_modules/haraka-plugin-wildduck/index.js",
             "[CRIT] [-] [core]     at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)"]
    xs = _explain(*lines)
    assert len(xs) == len(lines) and all(x.continues for x in xs[1:])
    [finding] = explanation_findings(xs, [])
    assert "Cannot find module 'mongodb'" in finding.title and finding.severity == "error"


def test_lines_a_rule_cites_stay_with_the_rule():
    xs = _explain(TLS_DEFAULT)
    rule = Finding(rule="MXD000", severity="warning", title="t", category="c", explanation="e",
                   evidence=[Evidence("haraka.log", 1, TLS_DEFAULT, "log")])
    assert explanation_findings(xs, [rule]) == []
    assert len(explanation_findings(xs, [])) == 1


def test_repeats_of_one_template_are_one_finding_with_a_count():
    lines = [f"[ERROR] [C{i}.1] [karma] connect ECONNREFUSED 127.0.0.1:6379" for i in range(7)]
    [finding] = explanation_findings(_explain(*lines), [])
    assert "7 times" in finding.explanation and len(finding.evidence) == 5


def test_the_users_version_decides_which_source_line_is_shown():
    index = message_index()
    current = {m.template for pkg in index.packages.values() for m in pkg.messages
               if pkg.package != "Haraka" or m.has_version("3.3.4")}
    old_only = next(m for m in index.packages["Haraka"].messages
                    if m.kind == "log" and m.level == "ERROR" and m.at[-1][0].startswith("2.8")
                    and "{}" not in m.template and len(m.template) > 20 and m.emitter == "core"
                    and m.template not in current)
    line = f"[ERROR] [-] [core] {old_only.template}"
    span = old_only.at[-1][0]
    [x_old] = _explain(line, version=span.partition("..")[2] or span)
    [x_new] = _explain(line, version="3.3.4")
    assert x_old.matched and x_old.in_version
    assert x_new.matched and not x_new.in_version
    [finding] = explanation_findings([x_new], [], "3.3.4")
    assert "Your version 3.3.4 does not have this message" in finding.explanation


def test_errors_in_the_logs_are_never_reported_as_no_problem():
    d = diagnose(log_text="[ERROR] [9F1.1] [queue/smtp_forward] Failed to get pool entry: connect ECONNREFUSED "
                          "127.0.0.1:2525\n")
    v = verdict(d)
    assert v.kind == "error" and "smtp_forward" in v.headline
    assert any(f.source == "log" for f in d.findings)


def test_cut_and_wrapped_lines_without_uuid_still_explain():
    [x] = _explain("[ERROR] [core] tls key /etc/haraka/config/tls_key.pem could not be loaded.")
    assert x.emitter == "core"


def test_a_line_cut_short_or_wrapped_in_the_paste_still_finds_its_message():
    [cut] = _explain("[CRIT] [-] [core] Plugin dns-list timed out on hook connect - make sure it cal")
    assert cut.matched and cut.message.file == "plugins.js"
    wrapped = _explain("[ERROR] [-] [core] tls key /etc/haraka/config/tls_key.pem could not",
                       "be loaded.")
    assert len(wrapped) == 1 and wrapped[0].matched and wrapped[0].message.file == "tls_socket.js"


def test_a_warning_from_the_logs_is_never_summed_up_as_no_error():
    d = diagnose(log_text="[ERROR] [-] [core] tls key /etc/haraka/config/tls_key.pem could not be loaded.\n")
    v = verdict(d)
    assert v.kind == "warning" and "No error found" not in v.headline and "went wrong" in v.headline
    assert "没有发现错误" not in verdict(d, "zh").headline


def test_lines_from_grep_over_log_files_keep_their_meaning():
    """`grep -H` / `grep -n` put the file name (and line number) first, before syslog's own prefix."""
    for line in ("/var/log/maillog:Dec  5 10:00:00 mx haraka[12]: [ERROR] [-] [core] tls key /x.pem could not be "
                 "loaded.", "haraka.log:123:[ERROR] [-] [core] tls key /x.pem could not be loaded."):
        [x] = _explain(line)
        assert x.matched and x.message.file == "tls_socket.js", line


def test_a_crash_is_placed_in_the_code_its_stack_names():
    lines = ["[CRIT] [-] [core] Caught exception: TypeError: Cannot read properties of undefined (reading 'length')",
             "[CRIT] [-] [core]     at Plugin.get_key (/usr/lib/node_modules/Haraka/plugins/dkim_sign.js:120:31)",
             "[CRIT] [-] [core]     at /usr/lib/node_modules/Haraka/plugins.js:300:10",
             "[CRIT] [-] [core]     at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"]
    xs = _explain(*lines)
    assert xs[0].crashed_in == "the dkim_sign plugin (plugins/dkim_sign.js:120, Plugin.get_key)"
    [finding] = explanation_findings(xs, [])
    assert "in the dkim_sign plugin" in finding.title and "where it failed" in finding.explanation
    npm = _explain("[CRIT] [-] [core] Caught exception: Error: boom",
                   "[CRIT] [-] [core]     at Redis.x (/opt/haraka/node_modules/haraka-plugin-karma/index.js:88:9)")
    assert npm[0].crashed_in == "the karma plugin (index.js:88, Redis.x)"
