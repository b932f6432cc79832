"""QGIS's proxy and trusted certificate authorities, read for pip (see :mod:`.network`).

The proxy is what the user set in Settings > Options > Network (``proxy/*`` in QgsSettings),
with the credentials QGIS keeps in its authentication database when an authentication
configuration is chosen (as QGIS's own network manager has them); with the type "Default
proxy", the system proxy Qt finds for PyPI. The certificate authorities are those QGIS trusts
(the system's and the ones the user added in QGIS's certificate manager), written to one PEM
file for pip's ``--cert``.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication, QgsNetworkAccessManager, QgsSettings
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkProxy, QNetworkProxyFactory, QNetworkProxyQuery

from .network import PYPI, PipNetwork, ProxySettings, ca_bundle, pip_options

_QT_TYPES = {QNetworkProxy.ProxyType.HttpProxy: "HttpProxy",
             QNetworkProxy.ProxyType.HttpCachingProxy: "HttpCachingProxy",
             QNetworkProxy.ProxyType.Socks5Proxy: "Socks5Proxy"}


def _list(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(v for v in value.split("|") if v)
    return tuple(str(v) for v in value if v)


def _system_proxy(url: str = PYPI):
    try:
        found = QNetworkProxyFactory.systemProxyForQuery(QNetworkProxyQuery(QUrl(url)))
    except Exception:  # noqa: BLE001  (no system proxy support: connect directly)
        return None
    for proxy in found:
        kind = _QT_TYPES.get(proxy.type())
        if kind and proxy.hostName():
            return kind, proxy.hostName(), int(proxy.port())
    return None


def read_proxy(settings: QgsSettings | None = None) -> ProxySettings:
    """QGIS's proxy settings (credentials from the auth configuration where one is set)."""
    s = settings or QgsSettings()
    enabled = str(s.value("proxy/proxyEnabled", False)).lower() in ("true", "1")
    kind = str(s.value("proxy/proxyType", "DefaultProxy") or "DefaultProxy")
    user = str(s.value("proxy/proxyUser", "") or "")
    password = str(s.value("proxy/proxyPassword", "") or "")
    if enabled and s.value("proxy/authcfg", ""):
        fallback = QgsNetworkAccessManager.instance().fallbackProxy()
        user, password = fallback.user() or user, fallback.password() or password
    try:
        port = int(s.value("proxy/proxyPort", 0) or 0)
    except (TypeError, ValueError):
        port = 0
    excluded = _list(s.value("proxy/proxyExcludedUrls", "")) + \
        _list(s.value("proxy/noProxyUrls", ""))
    return ProxySettings(enabled, kind, str(s.value("proxy/proxyHost", "") or ""), port,
                         user, password, excluded,
                         _system_proxy() if enabled and kind == "DefaultProxy" else None)


def trusted_pems() -> list[str]:
    """The certificate authorities QGIS trusts, as PEM texts (none when unavailable)."""
    try:
        certs = QgsApplication.authManager().trustedCaCerts()
    except Exception:  # noqa: BLE001  (no authentication manager: pip's own certificates)
        return []
    return [bytes(c.toPem()).decode("ascii", "replace") for c in certs]


def pip_network(work_dir, url: str = PYPI) -> PipNetwork:
    """pip options from QGIS's settings; the CA bundle is written into ``work_dir``."""
    bundle = ca_bundle(trusted_pems())
    cert_file = None
    if bundle:
        path = Path(work_dir) / "botaclip-qgis-ca.pem"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(bundle, encoding="ascii")
        cert_file = str(path)
    return pip_options(read_proxy(), cert_file, url)
