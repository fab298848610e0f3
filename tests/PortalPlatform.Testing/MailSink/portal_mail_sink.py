"""aiosmtpd handler for PortalPlatform's local mail sink: a maildir, plus reserved domains that behave like a
real server in trouble, so tests exercise refusals over genuine SMTP.

  *@refused.invalid  -> 550 at RCPT (permanent refusal)
  *@busy.invalid     -> 451 at RCPT (transient refusal)
  *@slow.invalid     -> the 250 after DATA comes SLOW_SECONDS late (a slow server)
"""
import asyncio
import os

from aiosmtpd.handlers import Mailbox

SLOW_SECONDS = float(os.environ.get("PORTAL_MAIL_SINK_SLOW_SECONDS", "3"))


class PortalMailSink(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if domain == "refused.invalid":
            return "550 5.1.1 Mailbox unavailable: recipient refused"
        if domain == "busy.invalid":
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.rpartition("@")[2].lower() == "slow.invalid" for r in envelope.rcpt_tos):
            await asyncio.sleep(SLOW_SECONDS)
        return await super().handle_DATA(server, session, envelope)
