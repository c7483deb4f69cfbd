"""Keep the server's secrets out of its log.

At DEBUG level traitlets logs every configuration change whole (``Config changed: {...}``), and
Jupyter links each extension with one: a ``gitlab_token`` (or Jupyter's own token) set in a
config file or on the command line would be printed in clear. A filter on the server's log
handlers masks every secret value the configuration and environment hold.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from ..masking import MIN_LENGTH

MASK = "[secret]"
#: Environment variables that hold a token the extension may use.
SECRET_ENV = ("GITLAB_TOKEN", "CI_JOB_TOKEN", "JUPYTER_TOKEN")


class Redactor(logging.Filter):
    """Replace known secret values in every record's message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these values too."""
        found = {*self.secrets, *(s for s in secrets if len(s) >= MIN_LENGTH)}
        self.secrets = sorted(found, key=len, reverse=True)  # a longer one may contain a shorter

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; never drop it."""
        if not self.secrets:
            return True
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's to report, not ours
            return True
        if any(s in text for s in self.secrets):
            for secret in self.secrets:
                text = text.replace(secret, MASK)
            record.msg, record.args = text, None
        return True


def config_secrets(config: Mapping[str, Any], environ: Mapping[str, str]) -> set[str]:
    """Every token the server's configuration and environment hold."""
    found = {environ.get(name, "") for name in SECRET_ENV}
    ours = config.get("CITerminalApp") or {}
    found.update(str(v) for k, v in ours.items() if k.endswith("token") and isinstance(v, str))
    for instance in ours.get("gitlab_instances") or []:
        if isinstance(instance, Mapping):
            found.add(str(instance.get("token") or ""))
            found.add(environ.get(str(instance.get("token_env") or ""), ""))
    for section in ("IdentityProvider", "ServerApp", "NotebookApp"):
        found.add(str((config.get(section) or {}).get("token") or ""))
    found.discard("")
    return found


def install(logger: logging.Logger, secrets: Iterable[str]) -> Redactor:
    """Filter ``logger`` and its handlers (records of child loggers reach only the handlers)."""
    redactor = Redactor(secrets)
    logger.addFilter(redactor)
    for handler in logger.handlers:
        handler.addFilter(redactor)
    return redactor
