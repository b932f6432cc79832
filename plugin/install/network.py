"""QGIS's proxy and certificate settings as pip options.

People behind a company proxy have told QGIS about it (Settings > Options > Network), and
the certificate authorities their proxy signs with are in QGIS's (or the system's) trusted
list; pip knows neither, and fails with a timeout or an SSL error. :func:`pip_options` turns
them into pip's ``--proxy`` and ``--cert``: a pure function of the settings, so that tests
give it any. A proxy password never goes on pip's command line (other users can read command
lines): it goes to pip in the environment (``PIP_PROXY``), and the log shows ``***``.
:mod:`.qgis_network` reads the settings from QGIS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from .names import translatable

PYPI = "https://pypi.org/simple"

# QGIS's proxy types (QgsSettings "proxy/proxyType"), as pip can use them.
HTTP_TYPES = ("HttpProxy", "HttpCachingProxy")
SOCKS_TYPES = ("Socks5Proxy",)
SOCKS_WARNING = translatable("pip needs the PySocks package to use a SOCKS proxy; if the "
                             "download fails, ask for an HTTP proxy or install offline from "
                             "a wheelhouse.")


@dataclass(frozen=True)
class ProxySettings:
    """QGIS's network settings: ``proxy/proxyEnabled``, ``proxy/proxyType``, ``proxyHost``,
    ``proxyPort``, ``proxyUser``, ``proxyPassword``, ``proxyExcludedUrls`` / ``noProxyUrls``;
    ``system``: the system proxy QGIS uses with the type ``DefaultProxy``
    (``(type, host, port)``, type one of :data:`HTTP_TYPES` / :data:`SOCKS_TYPES`)."""

    enabled: bool = False
    kind: str = "DefaultProxy"
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    excluded: tuple[str, ...] = ()
    system: tuple[str, str, int] | None = None


@dataclass
class PipNetwork:
    args: list[str] = field(default_factory=list)        # on pip's command line
    env: dict[str, str] = field(default_factory=dict)    # in pip's environment (secrets)
    shown: list[str] = field(default_factory=list)       # for the log, secrets masked
    warnings: list[str] = field(default_factory=list)


def proxy_url(settings: ProxySettings, url: str = PYPI, *, mask: bool = False) -> str | None:
    """The proxy pip should use to reach ``url`` (None: connect directly).
    ``mask``: the password as ``***`` (for the log)."""
    if not settings.enabled:
        return None
    if any(e and url.startswith(e.strip()) for e in settings.excluded):
        return None
    kind, host, port = settings.kind, settings.host, settings.port
    user, password = settings.user, settings.password
    if kind == "DefaultProxy":
        if not settings.system:
            return None
        kind, host, port = settings.system
        user = password = ""
    if not host or kind not in HTTP_TYPES + SOCKS_TYPES:
        return None
    scheme = "socks5" if kind in SOCKS_TYPES else "http"
    auth = ""
    if user:
        secret = "***" if mask else quote(password, safe="")
        auth = quote(user, safe="") + (f":{secret}" if password else "") + "@"
    where = f"{host}:{int(port)}" if port else host
    return f"{scheme}://{auth}{where}"


def ca_bundle(pems) -> str:
    """One PEM file of the certificate authorities QGIS trusts (duplicates dropped)."""
    seen, out = set(), []
    for pem in pems:
        text = (pem or "").strip()
        if "BEGIN CERTIFICATE" in text and text not in seen:
            seen.add(text)
            out.append(text)
    return "\n".join(out) + ("\n" if out else "")


def pip_options(settings: ProxySettings | None, cert_file: str | None = None,
                url: str = PYPI) -> PipNetwork:
    """pip options for QGIS's proxy (``settings``) and the CA bundle ``cert_file`` (written
    from :func:`ca_bundle`; None: pip's own certificates)."""
    net = PipNetwork()
    proxy = proxy_url(settings, url) if settings is not None else None
    if proxy:
        shown = proxy_url(settings, url, mask=True)
        if settings.password and proxy != shown:
            net.env["PIP_PROXY"] = proxy          # kept off the command line
        else:
            net.args += ["--proxy", proxy]
        net.shown += ["--proxy", shown]
        if proxy.startswith("socks5"):
            net.warnings.append(SOCKS_WARNING)
    if cert_file:
        net.args += ["--cert", cert_file]
        net.shown += ["--cert", cert_file]
    return net
