"""QGIS enum names that moved between QGIS 3.22 and QGIS 3.36+ / QGIS 4 (Qt6).

QGIS 3.36 moved many enums into the ``Qgis`` namespace (``Qgis.ProcessingSourceType``...)
and QGIS 4 may drop the old aliases, while QGIS 3.22 only has the old names. Every such enum
the plugin uses is resolved once here, newest name first, so the rest of the code never
needs a try/except. Enums whose fully scoped name exists on 3.22 and later (Qt enums,
``Qgis.MessageLevel``, ``QgsTask.Flag``, ``QgsFileWidget.StorageMode``...) are used directly.
"""

from __future__ import annotations

from qgis import core, gui


def enum_value(*names: str):
    """The value of the first dotted name (``"Qgis.LayerFilter.RasterLayer"``) that exists in
    ``qgis.core`` or ``qgis.gui``. Give the newest name first."""
    for name in names:
        head, *rest = name.split(".")
        obj = getattr(core, head, None) or getattr(gui, head, None)
        for part in rest:
            obj = getattr(obj, part, None) if obj is not None else None
        if obj is not None:
            return obj
    raise AttributeError(f"None of these QGIS enum names exist here: {', '.join(names)}")


# Processing: layer types accepted by layer parameters and produced by destinations
SOURCE_VECTOR_POINT = enum_value("Qgis.ProcessingSourceType.VectorPoint",
                                 "QgsProcessing.SourceType.TypeVectorPoint")
SOURCE_VECTOR_POLYGON = enum_value("Qgis.ProcessingSourceType.VectorPolygon",
                                   "QgsProcessing.SourceType.TypeVectorPolygon")

# Processing: parameter sub-types
NUMBER_DOUBLE = enum_value("Qgis.ProcessingNumberParameterType.Double",
                           "QgsProcessingParameterNumber.Type.Double")
NUMBER_INTEGER = enum_value("Qgis.ProcessingNumberParameterType.Integer",
                            "QgsProcessingParameterNumber.Type.Integer")
FILE_BEHAVIOR_FILE = enum_value("Qgis.ProcessingFileParameterBehavior.File",
                                "QgsProcessingParameterFile.Behavior.File")
FILE_BEHAVIOR_FOLDER = enum_value("Qgis.ProcessingFileParameterBehavior.Folder",
                                  "QgsProcessingParameterFile.Behavior.Folder")
FIELD_TYPE_ANY = enum_value("Qgis.ProcessingFieldParameterDataType.Any",
                            "QgsProcessingParameterField.DataType.Any")
FIELD_TYPE_NUMERIC = enum_value("Qgis.ProcessingFieldParameterDataType.Numeric",
                                "QgsProcessingParameterField.DataType.Numeric")

# Processing: parameter flags
PARAMETER_ADVANCED = enum_value("Qgis.ProcessingParameterFlag.Advanced",
                                "QgsProcessingParameterDefinition.Flag.FlagAdvanced")

# Map layer combo box filters
LAYER_FILTER_RASTER = enum_value("Qgis.LayerFilter.RasterLayer",
                                 "QgsMapLayerProxyModel.Filter.RasterLayer")
LAYER_FILTER_POINT = enum_value("Qgis.LayerFilter.PointLayer",
                                "QgsMapLayerProxyModel.Filter.PointLayer")
LAYER_FILTER_POLYGON = enum_value("Qgis.LayerFilter.PolygonLayer",
                                  "QgsMapLayerProxyModel.Filter.PolygonLayer")

# Vector file writer result
WRITER_NO_ERROR = enum_value("QgsVectorFileWriter.WriterError.NoError")
