import pytest

pytestmark = pytest.mark.qgis


def test_qgis_app_runs(qgis_app):
    from qgis.core import Qgis
    assert Qgis.QGIS_VERSION_INT >= 32200
