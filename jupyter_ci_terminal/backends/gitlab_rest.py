"""GitLab's REST client: python-gitlab off the event loop, with retries and GitLab's wording."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import gitlab.exceptions as gle
import requests

from ..errors import BackendError, ForbiddenError, NotFoundError
from .rest import RestClient

T = TypeVar("T")


def read_text(path: str) -> str:
    """Read a small file (run in a thread)."""
    return Path(path).read_text()


def unreachable(host: str, error: requests.RequestException) -> BackendError:
    """The sentence for a request that got no HTTP answer."""
    if isinstance(error, requests.exceptions.SSLError):
        return BackendError(
            f"GitLab at {host} presented a certificate that did not verify; give its CA in"
            " CITerminalApp.gitlab_ca_bundle (GITLAB_CA_BUNDLE)."
        )
    return BackendError(f"GitLab at {host} is not reachable.")


def token_refused(what: str, auth: str) -> str:
    """The sentence for GitLab's 401 to the API token, by the kind of token."""
    if auth == "job":
        # GitLab answers 401 both once the job has ended and on routes closed to job tokens.
        return (
            f"{what} refused the CI job token: a job token works only while its job runs, and"
            " only reads the pipelines and jobs of that job's project (no logs, actions or new"
            " pipelines; use a personal, project or group access token for those)."
        )
    what_token = "OAuth token" if auth == "oauth" else "API token"
    return (
        f"{what} rejected the {what_token} (CITerminalApp.gitlab_token or GITLAB_TOKEN):"
        " it is wrong, expired or revoked."
    )


class GitLabRest(RestClient):
    """:class:`RestClient` with GitLab's wording and retries on 429, 5xx and lost connections."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        host: str,
        verify: bool | str,
        timeout: float,
        retries: int,
        auth: str = "private",
    ) -> None:
        super().__init__(
            url,
            token,
            what=f"GitLab at {host}",
            ssl_verify=verify,
            timeout=timeout,
            retries=retries,
            retry_transient=retries > 0,
            auth=auth,
        )
        self.host = host

    async def call(self, fn: Callable[[], T]) -> T:
        """Run one python-gitlab call in a thread; 401/403/404 become one sentence each."""
        try:
            return await asyncio.to_thread(fn)
        except gle.GitlabAuthenticationError:
            raise BackendError(token_refused(self.what, self.auth)) from None
        except gle.GitlabError as e:
            if e.response_code == 403:
                msg = (
                    f"{self.what} does not allow this to the API token's user (it needs the"
                    " Developer role, and a token with the api scope)."
                )
                raise ForbiddenError(msg) from None
            if e.response_code == 404:
                msg = f"{self.what} has no such project, pipeline or job, or the API token's user cannot see it."
                raise NotFoundError(msg) from None
            detail = f": {e.error_message}" if e.error_message else ""
            msg = f"{self.what} answered HTTP {e.response_code}{detail}."
            raise BackendError(msg) from None
        except requests.RequestException as e:
            raise unreachable(self.host, e) from None
