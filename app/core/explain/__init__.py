"""The line explainer: every WARN+ line, refusal and 4xx/5xx reply of a pasted log, matched to
the code that printed it (the message index, app.core.messages), with what it means for the mail.

    explain_events(events, version) -> [LineExplanation]     one per line that needs explaining
    explain_events(events, version, quiet=True)              also each quiet line mxdoctor knows (known.py):
                                                             for a line the user asks about on its own
    explanation_findings(explained, findings) -> [Finding]   the lines no rule cites, grouped by template
"""
from app.core.explain.explain import LineExplanation, explain_events
from app.core.explain.findings import explanation_findings

__all__ = ["LineExplanation", "explain_events", "explanation_findings"]
