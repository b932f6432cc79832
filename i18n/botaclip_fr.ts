<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
  <context>
    <name>BotaCLIP</name>
    <message>
      <location filename="../plugin/dialogs/base.py" line="82" />
      <source>Run</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="121" />
      <source>Cancel</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="121" />
      <source>Close</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="171" />
      <source>Waiting for the task manager…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="184" />
      <source>Cancelling…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="214" />
      <source>Cancelled; nothing was written.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="287" />
      <source>BotaCLIP</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="289" />
      <source>Details…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="29" />
      <source>BotaCLIP: check orthophoto and relevés</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="39" />
      <source>A plot is usable only if at least this share of its patch holds image pixels (not no-data).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="41" />
      <source>Minimum valid pixels</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="43" />
      <source>Make a contact sheet of sample patches (PNG)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="48" />
      <source>Where the plot status layer, the JSON report and the contact sheet are written.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="50" />
      <source>Output folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="57" />
      <source>Open contact sheet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="79" />
      <source>Choose an output folder.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="96" />
      <source>Check orthophoto and relevés</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="104" />
      <source>Plot status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="111" />
      <source>{usable} of {total} plots can be used for training; {taxa} taxa; cover scale: {scale}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="55" />
      <source>Add an orthophoto (a raster layer) to the project and choose it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="57" />
      <source>The orthophoto must be a raster file; save '{name}' as a GeoTIFF first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="81" />
      <source>How the covers are written. Automatic recognises Braun-Blanquet codes, presence marks, fractions, percentages and counts; choose the scale when numbers alone are ambiguous (1-5 could be codes or percent).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="92" />
      <source>Which camera or satellite took the orthophoto: this gives the wavelength of each band.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="102" />
      <source>Where the model runs. Automatic uses a CUDA GPU when PyTorch sees one; the default comes from BotaCLIP &gt; Settings….</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="173" />
      <source>Search taxa…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="180" />
      <source>All</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="180" />
      <source>None</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="193" />
      <source>The columns holding taxa (covers, presence or counts). Identifiers, coordinates and BotaCLIP's own fields are not listed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="219" />
      <source>{n} of {total} ticked</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="262" />
      <source>The aerial image (any raster QGIS reads from a file).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="263" />
      <source>Orthophoto</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="267" />
      <source>Vegetation plots: one point (or polygon) per relevé, one numeric column per taxon.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="269" />
      <source>Relevés</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="273" />
      <source>The column that names each plot. Empty: 'plot_id' if there is one, else the feature id.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="275" />
      <source>Plot id column</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="278" />
      <source>Taxon columns</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="281" />
      <source>Cover scale</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="324" />
      <source>Add a relevé layer (points) to the project and choose it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="326" />
      <source>The relevé layer has no numeric column to read as taxa. For a long table (plot, taxon, cover) use 'Import relevés from a long table…' first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="330" />
      <source>Tick at least one taxon column.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="351" />
      <source>Sensor</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="354" />
      <source>optional, e.g. 0.665, 0.56, 0.49, 0.842</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="355" />
      <source>Centre wavelength of each band in micrometres, in band order; overrides the sensor.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="357" />
      <source>Band wavelengths (µm)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="363" />
      <source> m</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="365" />
      <source>Patch size</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="388" />
      <source>The frozen image model. DOFA reads any bands through their wavelengths; timm models read red, green and blue; the spectral baseline needs no weights.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="391" />
      <source>Backbone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="393" />
      <source>timm model name, e.g. resnet50</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="394" />
      <source>timm model</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="397" />
      <source>Weights files (*.safetensors *.pth *.pt *.ckpt *.bin);;All files (*.*)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="399" />
      <source>The backbone's weights file. Empty: the DOFA file is looked up in the weights folder of BotaCLIP &gt; Settings….</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="402" />
      <source>Random weights (testing only)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="403" />
      <source>Seeded random backbone weights, to test a set-up without the weights file: the results mean nothing. Recorded in every output.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="411" />
      <source>Weights</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="430" />
      <source>empty: look in {folder}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="436" />
      <source>Give the timm model's name (e.g. resnet50).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="441" />
      <source>The weights file {path} does not exist.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="443" />
      <source>A timm backbone needs its weights file.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="445" />
      <source>{backbone} needs its weights file, and none is in the weights folder {folder}. Choose the file, or use the spectral baseline, which needs none.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="473" />
      <source>Choose weights file…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="474" />
      <source>Use the spectral baseline</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="480" />
      <source>Backbone weights file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="516" />
      <source>Side of the square image patch centred on each plot.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="18" />
      <source>BotaCLIP demo</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="27" />
      <source>BotaCLIP: create demo data</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="28" />
      <source>Writes a small synthetic alpine landscape: a 4-band orthophoto (red, green, blue, near-infrared), vegetation relevés, butterfly and soil samples, and the ground truth they were drawn from. Everything is made up, so you can try BotaCLIP without data.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="37" />
      <source>The files are written into this folder (created if needed); existing demo files there are replaced.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="46" />
      <source>Side of the square scene. 2000 m takes about a minute.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="47" />
      <source>Scene size</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="51" />
      <source>The same seed and size always give the same files; another seed gives another landscape.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="53" />
      <source>Random seed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="65" />
      <source>Orthophoto of {px} × {px} pixels at {res} m.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="74" />
      <source>{path} is a file: choose a folder.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="83" />
      <source>Create BotaCLIP demo data</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="90" />
      <source>Relevés (demo)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="91" />
      <source>Butterflies (demo)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="93" />
      <source>Soil samples (demo)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="94" />
      <source>Orthophoto (demo)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="97" />
      <source>Demo data written to {folder}: {n} relevés, {t} taxa.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="17" />
      <source>BotaCLIP: missing Python packages</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="26" />
      <source>Copy to clipboard</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="29" />
      <source>Settings…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="44" />
      <source>Red: 1st main contrast</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="45" />
      <source>Green: 2nd main contrast</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="46" />
      <source>Blue: 3rd main contrast</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="67" />
      <source>This model uses the {backbone} backbone on {n} bands ({bands}) with {patch:g} m patches; it was trained on {plots} plots and {taxa} taxa.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="86" />
      <source>BotaCLIP: embed an orthophoto</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="93" />
      <source>The aerial image to embed (any raster QGIS reads from a file).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="97" />
      <source>empty: the raw backbone below</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="98" />
      <source>A model folder made by 'Train model…'. It names its own backbone, bands and patch size.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="100" />
      <source>Model folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="123" />
      <source>Side of the square image patch behind each output pixel.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="135" />
      <source>half the patch size</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="136" />
      <source>Distance between patch centres: the pixel size of the embedding raster. Smaller than the patch, patches overlap (finer maps, longer runs); the default, half the patch, shows every point of the ground to four patches.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="140" />
      <source>Stride</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="143" />
      <source>Whole orthophoto</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="146" />
      <source>Limit the run to this extent (taken in the orthophoto's CRS).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="148" />
      <source>Extent</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="154" />
      <source>Optional polygons: only patches inside them are embedded.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="155" />
      <source>Mask polygons</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="159" />
      <source>bfloat16 is about twice as fast on recent CPUs and GPUs; it is used only where its embeddings agree with float32.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="162" />
      <source>Precision</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="164" />
      <source>Device</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="166" />
      <source>Data type</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="172" />
      <source>The embedding raster to write: a cloud-optimised GeoTIFF with one band per embedding dimension.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="174" />
      <source>Embedding raster</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="175" />
      <source>Also write an RGB preview and show it</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="176" />
      <source>The first three principal components of the embeddings as an 8-bit RGB image: areas the model sees alike get alike colours.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="210" />
      <source>empty: the file the model was trained with</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="241" />
      <source>{path} is not a model folder (it has no config.json).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="244" />
      <source>The config.json of {path} cannot be read: train the model again.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="250" />
      <source>The model's backbone weights file is not where it was when the model was trained, nor in the weights folder {folder}: choose it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="259" />
      <source>Choose where to write the embedding raster.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="261" />
      <source>The embedding raster must be a GeoTIFF (.tif) file.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="264" />
      <source>The embedding raster cannot replace the orthophoto.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="322" />
      <source>Embed orthophoto</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="326" />
      <source>Cancelled: the embedding raster was not written. Any finished blocks are kept: Run again with the same settings continues where it stopped.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="332" />
      <source>{name} (embeddings)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="336" />
      <source>{name} preview: alike colour, alike place</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="341" />
      <source>Embeddings written to {path}: {width} × {height} pixels, one per patch centre, {bands} bands.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="343" />
      <source>{n} patches embedded in {s:.0f} s ({rate:.1f} per second, {precision}); {nodata} pixels left empty (no image under them).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="39" />
      <source>BotaCLIP: evaluate embeddings on your data</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="43" />
      <source>none</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="44" />
      <source>Vegetation plots for plant presence per taxon (optional when a point layer is given).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="48" />
      <source>Optional: your own observations (e.g. butterflies, soil samples) with the field to evaluate on.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="53" />
      <source>The folder to write evaluation.json and report.html in.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="55" />
      <source>Report folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="56" />
      <source>Open report</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="68" />
      <source>empty: the spectral baseline and DOFA base only</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="69" />
      <source>A model folder made by 'Train model…': adds the BotaCLIP model and the frozen backbone it was built on. Without one, DOFA base is compared when its weights are in the weights folder of the settings.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="84" />
      <source>The cross-validation is repeated with new blocks: 5 folds × 5 repeats give 25 paired scores per source, enough for a Wilcoxon test to see a consistent difference.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="88" />
      <source>Repeats</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="92" />
      <source>Spatial folds: blocks of points held out together, the same for every source, so that the comparison is paired.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="95" />
      <source>Folds</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="97" />
      <source>The model fitted on each source's embeddings; the random forest is the paper's.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="99" />
      <source>Estimator</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="118" />
      <source>Choose relevés, a point layer, or both: there is nothing to evaluate on yet.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="129" />
      <source>{path} is not a model folder (it has no readable config.json).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="133" />
      <source>Choose the folder to write the evaluation report in.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="135" />
      <source>{path} is a file; choose a folder for the report.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="159" />
      <source>Evaluate embeddings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="165" />
      <source>Cancelled: no report was written. The image features computed so far are kept in the cache, so running again continues from there.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="171" />
      <source>Evaluation report written.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="172" />
      <source>Report: {path}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="48" />
      <source>BotaCLIP: habitat clusters</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="65" />
      <source>The embedding raster to cluster (made by 'Embed orthophoto…'): pixels that look alike in it end up in one habitat.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="71" />
      <source>How many habitat types the map is cut into.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="72" />
      <source>Number of clusters</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="73" />
      <source>Choose k automatically (Davies-Bouldin index)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="74" />
      <source>Try every k of the range below and keep the one with the lowest Davies-Bouldin index (compact clusters far apart), as the BotaCLIP paper does; the curve is in the message.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="78" />
      <source>The smallest k tried.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="79" />
      <source>The largest k tried (included).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="84" />
      <source>to</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="87" />
      <source>Range of k</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="88" />
      <source>The same seed gives the same sample of pixels and the same map.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="90" />
      <source>Seed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="93" />
      <source>empty: no summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="94" />
      <source>Optional: a folder for clusters.html and clusters.json, with the area of each cluster.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="96" />
      <source>Summary folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="101" />
      <source>Optional, with a summary: the orthophoto, for a thumbnail of a typical place of each cluster.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="104" />
      <source>empty: no typical taxa</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="105" />
      <source>Optional, with a summary: the model folder the embedding raster was made with, for the taxa most typical of each cluster.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="113" />
      <source>GeoTIFF (*.tif)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="114" />
      <source>The habitat map to write: a categorical cloud-optimised GeoTIFF, habitat 1 the largest, with a colour and a name per cluster.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="117" />
      <source>Habitat map</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="118" />
      <source>Open summary</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="119" />
      <source>Open clusters.html: the area, a thumbnail and the typical taxa of each cluster.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="159" />
      <source>Add an embedding raster (made by 'Embed orthophoto…') to the project and choose it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="162" />
      <source>The embedding raster must be a raster file; save '{name}' as a GeoTIFF first.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="166" />
      <source>'{name}' is a BotaCLIP {kind} map, not an embedding raster: choose the embeddings it was made from.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="169" />
      <source>The range of k is empty: the smallest k ({lo}) must be below the largest ({hi}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="177" />
      <source>The orthophoto and the model folder only serve the summary: choose a summary folder, or leave them empty.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="180" />
      <source>{path} is a file; choose a folder for the summary.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="193" />
      <source>Choose where to write the habitat map.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="195" />
      <source>The habitat map must be a GeoTIFF (.tif) file.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="198" />
      <source>The habitat map cannot replace one of its inputs; choose another name.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="201" />
      <source>The summary folder and the habitat map need two different paths.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="220" />
      <source>Habitat clusters</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="227" />
      <source>Cancelled: the habitat map was not written; the previous one, if any, is unchanged.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="238" />
      <source>{k} habitat clusters mapped; the largest covers {share:.0%} of the pixels.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="241" />
      <source>Habitat map written to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="243" />
      <source>Summary written to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="77" />
      <source>BotaCLIP: import relevés from a long table</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="83" />
      <source>One row per taxon in a plot: plot id, taxon name, cover.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="84" />
      <source>Long table (CSV)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="89" />
      <source>Taxon column</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="90" />
      <source>Cover column</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="96" />
      <source>One row per plot: plot id and coordinates.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="97" />
      <source>Plot table (CSV)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="101" />
      <source>Plot id column (plot table)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="102" />
      <source>X column</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="103" />
      <source>Y column</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="107" />
      <source>Choose the CRS of the X and Y columns</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="109" />
      <source>The coordinate reference system of X and Y, e.g. EPSG:4326 for longitude/latitude in degrees, EPSG:2154 for Lambert-93.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="112" />
      <source>CRS of X/Y</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="117" />
      <source>The relevé layer to write: one point per plot, one column per taxon.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="119" />
      <source>Output layer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="164" />
      <source>Choose the long table (a CSV file).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="166" />
      <source>No column names found in {path}: is it a CSV file?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="168" />
      <source>Choose the plot table (a CSV file with coordinates).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="171" />
      <source>plot id</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="171" />
      <source>taxon</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="172" />
      <source>cover</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="175" />
      <source>Choose the {what} column.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="177" />
      <source>X and Y must be two different columns.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="179" />
      <source>Choose the CRS of the X and Y columns.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="182" />
      <source>Choose where to write the relevé layer.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="184" />
      <source>The output must be a GeoPackage (.gpkg) file.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="195" />
      <source>Import relevés</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="207" />
      <source>{plots} plots and {taxa} taxa written to {path} (covers read as {scale}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="100" />
      <source>{k} spatial folds</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="102" />
      <source>Predicted '{t}': TSS {tss}, AUC {auc} ({where}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="105" />
      <source>Predicted '{t}' from presences only: Boyce index {boyce} ({where}, {n} background points).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="109" />
      <source>Predicted '{t}': accuracy {acc}, kappa {kappa} ({where}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="112" />
      <source>Predicted '{t}': Spearman {rho}, MAE {mae} ({where}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="115" />
      <source>Predicted {n} abundances: Spearman {rhos} ({where}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="123" />
      <source>AUC 0.5 and TSS 0 are chance; 1 is perfect.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="124" />
      <source>A Boyce index near 0 is chance; 1 means the map ranks presences as well as it can.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="126" />
      <source>Spearman 0 is chance; MAE is in the field's own unit.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="127" />
      <source>Kappa 0 is chance; 1 is perfect.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="130" />
      <source>Map written to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="132" />
      <source>Metrics written to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="134" />
      <source>Predictor saved to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="152" />
      <source>BotaCLIP: predict a map</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="169" />
      <source>The embedding raster made by 'Embed orthophoto…': one band per embedding dimension. Any other raster's bands are used as they are.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="186" />
      <source>The model fitted to the embeddings at the points. The random forest (500 trees, classes balanced) needs no tuning; the others are there to compare.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="193" />
      <source>Spatial cross-validation: the points are grouped in blocks and each fold holds out whole blocks, so that the figures reported come from places the model did not see.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="199" />
      <source>Advanced</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="207" />
      <source>automatic (the patch side)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="208" />
      <source>Training points closer than this to a test point are left out of that fold: two points closer than a patch side were seen through the same pixels. 0: no buffer.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="211" />
      <source>Buffer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="216" />
      <source>automatic (5 pixels, at least twice the buffer)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="217" />
      <source>Side of the square blocks the folds are made of.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="218" />
      <source>Block size</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="221" />
      <source>automatic (10 per presence, at most 10 000)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="222" />
      <source>Presence only: how many background points are drawn from the raster to stand for the places available.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="224" />
      <source>Background points</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="227" />
      <source>The same seed gives the same folds, background points and model.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="235" />
      <source>The map to write: a cloud-optimised GeoTIFF with the prediction, its uncertainty (spread of the fold models) and the area of applicability.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="238" />
      <source>Prediction map</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="239" />
      <source>empty: no metrics file</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="240" />
      <source>A folder for metrics.json: the cross-validated metrics of each target, fold by fold, with the point counts.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="245" />
      <source>Optional: save the fitted model, to apply it to another embedding raster made with the same model later, without fitting again.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="247" />
      <source>empty: not saved</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="248" />
      <source>Save predictor</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="249" />
      <source>Open metrics</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="270" />
      <source>'{name}' is not an embedding raster made by BotaCLIP: its {n} bands are used as they are.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="318" />
      <source>'{name}' is a prediction map, not an embedding raster: choose the embeddings it was made from.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="321" />
      <source>Add a point layer with your observations to the project and choose it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="328" />
      <source>Choose where to write the prediction map.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="330" />
      <source>The prediction map must be a GeoTIFF (.tif) file.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="333" />
      <source>The prediction map cannot replace one of its inputs; choose another name.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="337" />
      <source>{path} is a file; choose a folder for the metrics.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="340" />
      <source>The predictor and the prediction map need two different files.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="347" />
      <source>Embed orthophoto…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="371" />
      <source>Predict map</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="378" />
      <source>Cancelled: the prediction map was not written; the previous one, if any, is unchanged.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="111" />
      <source>BotaCLIP: species suitability</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="125" />
      <source>the folder 'Train model…' wrote</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="126" />
      <source>The model bundle (a folder made by 'Train model…'): its relevé encoder places each taxon in the space of the embedding raster made with it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="136" />
      <source>The embedding raster made with this model ('Embed orthophoto…' with the model folder); one made with another model or a raw backbone is refused.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="141" />
      <source>e.g. Carex curvula; Nardus stricta</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="142" />
      <source>The taxa to map, one band each, separated by ';'. Names are completed from the model's species list as you type.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="144" />
      <source>Taxa</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="148" />
      <source>All the model's taxa</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="149" />
      <source>One band for every taxon the model knows, instead of the taxa typed above.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="152" />
      <source>Expected community (richness and most likely taxon)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="153" />
      <source>Two more bands from soft retrieval over the relevés the model was trained on: the expected number of taxa and the most likely taxon at each pixel. Then 'Top taxa here' lists the most likely taxa at a place you click.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="161" />
      <source>The map to write: a cloud-optimised GeoTIFF, one band per taxon (the cosine of each pixel to the taxon, -1 to 1), then the expected community's bands.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="164" />
      <source>Suitability map</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="185" />
      <source>The model knows {n} taxa.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="221" />
      <source>{n} taxon band(s)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="238" />
      <source>Choose the model folder (made by 'Train model…').</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="240" />
      <source>{path} is not a model folder (it has no readable config.json with the model's taxa).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="244" />
      <source>Add the embedding raster made with this model to the project and choose it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="276" />
      <source>Type the taxa to map, tick 'All the model's taxa', or tick 'Expected community': there is nothing to map yet.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="283" />
      <source>Per-taxon suitability places each taxon alone, without a cover: remove '={cover}' after {name}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="295" />
      <source>Choose where to write the suitability map.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="297" />
      <source>The suitability map must be a GeoTIFF (.tif) file.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="299" />
      <source>The suitability map cannot replace the embedding raster; choose another name.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="316" />
      <source>Species suitability</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="323" />
      <source>Cancelled: the suitability map was not written; the previous one, if any, is unchanged.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="335" />
      <source>Suitability map written with {n} band(s): {bands}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="337" />
      <source>Written to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="338" />
      <source>A taxon band is the cosine of each pixel to the taxon (-1 to 1): it ranks places for that taxon; two taxa's values are not comparable.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="342" />
      <source>Expected community: temperature {t:.3f}; the expected richness lies between {lo:g} and {hi:g} taxa. Use 'Top taxa here' and click the map to list the most likely taxa at a place.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="353" />
      <source>Top taxa here</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="63" />
      <source>No field ticked: every point is a presence (presence only).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="66" />
      <source>Several fields: an abundance map band for each.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="73" />
      <source>'{name}' is true or false: presence / absence.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="75" />
      <source>'{name}' holds text: one class per value.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="78" />
      <source>'{name}' holds only 0 and 1: presence / absence.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="80" />
      <source>'{name}' holds other numbers than 0 and 1: abundance.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="107" />
      <source>The field the map is fitted to: 0/1 for presence/absence, numbers for abundance, text for classes; none ticked, every point is a presence. Several fields only for abundance.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="190" />
      <source>Your observations: one point each, with the field to map.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="192" />
      <source>Points</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="200" />
      <source>Target field</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="202" />
      <source>What the field holds, and so what the map shows: the probability of presence, an abundance, or the most likely class. Suggested from the field; choose another to override.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="206" />
      <source>Task</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="252" />
      <source>{why} You chose another task.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="263" />
      <source>The point layer '{name}' has no points.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="268" />
      <source>'{name}' has no number or text field to map; choose another point layer, or the task 'Presence only'.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="270" />
      <source>Tick the field that holds 1 where the species is present and 0 where it is absent.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="272" />
      <source>Tick the field(s) holding the abundances.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="273" />
      <source>Tick the field holding the classes.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="37" />
      <source>It finds the right relevé among its 10 nearest for {trained} of {n} held-out test plots (chance: {chance}; untrained backbone: {untrained}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="49" />
      <source>Recall@10 on the test plots (trained / untrained / chance):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="50" />
      <source>image → relevé</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="50" />
      <source>relevé → image</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="55" />
      <source>Recall@10 on the validation plots, which chose the epoch (selection score, trained / chance):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="60" />
      <source>{used} of {total} plots used ({train} to train, {val} to validate, {test} to test, in blocks of {block:g} m; {buffer} training plots closer than {buffer_m:g} m to a validation or test plot left out); {taxa} taxa; best epoch {best} of {epochs}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="77" />
      <source>BotaCLIP: train a model</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="90" />
      <source>Passes over the training plots, at most: training stops early when the validation recall no longer improves.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="92" />
      <source>Epochs</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="98" />
      <source>The model folder to write (config.json, the trained weights and the training report).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="102" />
      <source>Open training report</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="123" />
      <source>Training needs at least {n} plots (a third to train on, a third to choose the epoch, a third to test the model); '{layer}' has {count}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="129" />
      <source>Choose the model folder to write.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="131" />
      <source>{path} is a file; choose a folder for the model.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="151" />
      <source>The folder {path} already holds files. Replace the model in it?</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="176" />
      <source>Train BotaCLIP model</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="182" />
      <source>Cancelled: no model was written. The image features computed so far are kept in the cache, so running again continues from there.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="188" />
      <source>Model trained. {recall}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="192" />
      <source>Trained on random backbone weights: for testing only.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="194" />
      <source>Model written to {folder}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/help.py" line="462" />
      <source>The help file {path} is missing from the plugin folder.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/help.py" line="479" />
      <source>BotaCLIP help</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="9" />
      <source>Automatic (detected from the values)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="10" />
      <source>Presence / absence (1/0, x, yes/no)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="11" />
      <source>Percent cover (0-100)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="12" />
      <source>Fraction of cover (0-1)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="13" />
      <source>Braun-Blanquet codes (r, +, 1, 2m, 2a, 2b, 3, 4, 5)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="14" />
      <source>Counts (individuals)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="33" />
      <source>Automatic (from the band names or colours)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="41" />
      <source>DOFA base (768 dimensions, recommended)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="42" />
      <source>DOFA small (384 dimensions, fastest)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="43" />
      <source>DOFA large (1024 dimensions)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="44" />
      <source>Spectral baseline (band statistics, no weights needed)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="45" />
      <source>timm model (RGB only; give its name)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="61" />
      <source>Automatic (the GPU if there is one)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="62" />
      <source>CPU</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="63" />
      <source>GPU (CUDA)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="68" />
      <source>Automatic (bfloat16 where it agrees with float32)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="69" />
      <source>float32 (exact, slower)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="70" />
      <source>bfloat16 (faster; checked against float32)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="75" />
      <source>float16 (half the disk space)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="76" />
      <source>float32</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="86" />
      <source>Presence / absence</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="87" />
      <source>Square root of cover</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="88" />
      <source>Logarithm of cover (log 1 + x)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="89" />
      <source>Hellinger (square root of relative cover)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="90" />
      <source>Covers as they are</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="104" />
      <source>Presence / absence (0/1 field): probability of presence</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="105" />
      <source>Presence only (every point a presence): relative suitability against background points</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="107" />
      <source>Abundance or cover (numbers): predicted value</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="108" />
      <source>Classes (text or codes): most probable class</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="113" />
      <source>Random forest (recommended)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="114" />
      <source>Logistic / ridge regression (linear)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="115" />
      <source>Histogram gradient boosting</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/labels.py" line="116" />
      <source>Multilayer perceptron (small neural network)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="39" />
      <source>usable</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="40" />
      <source>outside the orthophoto</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="41" />
      <source>too few valid pixels</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="42" />
      <source>no taxon recorded</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="43" />
      <source>plot id used twice</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="44" />
      <source>no coordinates</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="89" />
      <source>QGIS cannot open the {what} {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="163" />
      <source>raster</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="170" />
      <source>vector layer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="228" />
      <source>Choose an orthophoto layer.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="230" />
      <source>The layer '{name}' is not a raster file (it comes from the '{provider}' provider). Save it as a GeoTIFF first (right-click &gt; Export &gt; Save As…) and use that file.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="278" />
      <source>Choose a relevé layer.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="297" />
      <source>Cannot copy the layer '{name}' to {path} for BotaCLIP: {message}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="312" />
      <source>outside the area of applicability</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="313" />
      <source>inside the area of applicability</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="376" />
      <source>QGIS cannot open the prediction map {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="386" />
      <source>{path} is not a prediction map: none of its bands is a probability, abundance or class band (its bands: {bands}). Give a map written by BotaCLIP's Predict map or Apply predictor.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="467" />
      <source>{target}: probability</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="468" />
      <source>{target}: abundance</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="469" />
      <source>{target}: class</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="473" />
      <source>Area of applicability</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="479" />
      <source>{target}: uncertainty</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/layers.py" line="485" />
      <source>QGIS cannot open the raster {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="122" />
      <source>similarity</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="194" />
      <source>Similar places</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="199" />
      <source>Click on the map over an embedding raster (or drag a rectangle) to see where else looks like that place.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="204" />
      <source>Show only the pixels at least this similar to the place you clicked (cosine similarity, -1 to 1)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="209" />
      <source>Area of the pixels of the current view at or above the threshold</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="211" />
      <source>Save full resolution…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="212" />
      <source>Compute the similarity over the whole embedding raster, at its full resolution, into a GeoTIFF (runs in the background)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="236" />
      <source>Threshold: {value:.2f}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="241" />
      <source>{km2:.3g} km² at or above the threshold in this view ({share:.0%} of its valid pixels).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="248" />
      <source>Save the similarity map</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="248" />
      <source>GeoTIFF (*.tif *.tiff)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="313" />
      <source>the point {x:.1f}, {y:.1f}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="323" />
      <source>the rectangle drawn</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="347" />
      <source>Find similar places needs an embedding raster in the project (made by Embed orthophoto): add one, or make it the active layer.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="381" />
      <source>The map shows no part of the embedding raster {name}: pan or zoom to it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="404" />
      <source>Similarity of every pixel of the view to {what} on {layer}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="468" />
      <source>Similarity map</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="479" />
      <source>Similarity map written to {path}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="481" />
      <source>{km2:.3g} km² at or above {threshold:.2f}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="71" />
      <source>model folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="71" />
      <source>embedding raster</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="73" />
      <source>The suitability map '{name}' was made from the {what} {path}, which is not there any more; make the map again with 'Species suitability…'.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="94" />
      <source>{name} {p:.0%}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="127" />
      <source>Top taxa here needs a suitability map in the project (made by 'Species suitability…'): add one, or make it the active layer.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="166" />
      <source>Most likely taxa at {x:.1f}, {y:.1f}:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="45" />
      <source>&amp;BotaCLIP</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="73" />
      <source>BotaCLIP tools</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="75" />
      <source>Create demo data…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="76" />
      <source>Write a small synthetic landscape (orthophoto, relevés, butterflies, soil) to try BotaCLIP</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="78" />
      <source>Check orthophoto and relevés…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="79" />
      <source>Check that an orthophoto and a relevé layer can be used together: which plots are usable and why not</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="81" />
      <source>Import relevés from a long table…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="82" />
      <source>Turn a long table (plot, taxon, cover) and a plot table with coordinates into a relevé point layer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="84" />
      <source>Train model…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="85" />
      <source>Train a BotaCLIP model on an orthophoto and relevés, with a report of its recall on held-out test plots</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="88" />
      <source>Turn an orthophoto into an embedding raster with a trained model or a raw backbone, and an RGB preview of it</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="90" />
      <source>Predict map…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="91" />
      <source>Map a species, an abundance or classes from an embedding raster and your observation points, with spatially cross-validated figures</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="94" />
      <source>Evaluate…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="95" />
      <source>Compare the embeddings with simple baselines on your relevés and points, in spatial cross-validation, with an HTML report</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="98" />
      <source>Find similar places</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="99" />
      <source>Click on the map (or drag a rectangle) over an embedding raster to see where else looks like that place, with a threshold and its area</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="102" />
      <source>Species suitability…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="103" />
      <source>Map where taxa would find their habitat, and the expected community, from a model and the embedding raster made with it</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="107" />
      <source>Click on the map over a suitability map to list the taxa most likely present there, with their probabilities</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="109" />
      <source>Habitat clusters…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="110" />
      <source>Group the pixels of an embedding raster into habitat types, with a legend and an optional summary of each</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="113" />
      <source>Model weights, device, cache and extra Python packages folders</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="115" />
      <source>Help</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="115" />
      <source>Open the BotaCLIP documentation</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="185" />
      <source>{module} is kept out of QGIS's process: this native module crashes QGIS when OpenGL's libLLVM is loaded, and torch works without it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="189" />
      <source>{module} was loaded by another plugin before BotaCLIP; it can crash QGIS during Train or Embed on Linux desktops. Disable the other plugin, or start QGIS with QT_XCB_GL_INTEGRATION=none.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="207" />
      <source>Disabled: needs the Python package(s) {names}, which QGIS's Python cannot find. Click Details in the BotaCLIP message, or see BotaCLIP &gt; Settings… &gt; Extra Python packages folder.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="217" />
      <source>Python packages missing: {names}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="218" />
      <source>Python packages missing or too old: {names}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="345" />
      <source>All the Python packages BotaCLIP needs are found.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="28" />
      <source>Apply predictor</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="31" />
      <source>Maps an embedding raster with a predictor saved by 'Predict map' (its 'Saved predictor' output): another area, another year, or the same raster again. Nothing is fitted: the saved model, its cross-validation models and its area of applicability are used as they are, so that on the raster it was fitted on it gives the very map 'Predict map' wrote.

Predictor: the .zip file written by 'Predict map'. It holds numbers and scikit-learn settings only and cannot run code when read. A file that is not a BotaCLIP predictor is refused; one saved by another scikit-learn version is used with a warning.

Embedding raster: made by 'Embed orthophoto' with the same model as the one the predictor was fitted on. Another model (or another backbone or band count) is refused with both named, since its bands mean something else; a raster without BotaCLIP's provenance tags is mapped with a warning.

Output: a cloud-optimised GeoTIFF with the same bands as the predicted map (prediction, uncertainty, area of applicability), loaded styled; the number of pixels mapped and of pixels inside the area of applicability.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="51" />
      <source>Saved predictor</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="57" />
      <source>Pixels mapped</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="59" />
      <source>Pixels inside the area of applicability</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="64" />
      <source>Data</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="85" />
      <source>A Python package BotaCLIP needs is missing ({error}). Open BotaCLIP &gt; Settings… or the BotaCLIP message for how to install it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="106" />
      <source>Taxon columns (default: every numeric column)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="110" />
      <source>Columns that are not taxa</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="120" />
      <source>Sensor (without a model folder)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="121" />
      <source>Band wavelengths in micrometres (without a model folder)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="122" />
      <source>Patch size (m; without a model folder)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="124" />
      <source>Band wavelengths in micrometres (e.g. 0.665,0.56,0.49)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="125" />
      <source>Patch size (m)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="162" />
      <source>Cannot open the raster given as {name}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="169" />
      <source>Cannot open the layer given as {name}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="32" />
      <source>Checks, before any model is trained, that your orthophoto and your vegetation relevés can be used together, and says for every plot whether it is usable and why not: its plot id is used twice, it has no coordinates, its centre is outside the orthophoto, too little of the image patch around it holds pixels, or no taxon is recorded in it. Nothing is dropped silently.

Relevés: one point (or polygon) per plot with one numeric column per taxon (cover, presence or counts). Taxon columns: by default every numeric column except the plot id, coordinates and elevation. Cover scale: Automatic recognises Braun-Blanquet codes, presence marks, fractions, percentages and counts; choose it when numbers alone are ambiguous.

Sensor: which camera or satellite took the image, so that each band gets its wavelength; Automatic reads the band names. Wavelengths (micrometres, one per band, e.g. 0.665,0.56,0.49) override it. Patch size: side of the square of image around each plot, in metres. Minimum valid fraction: share of the patch that must hold image pixels.

Outputs: the plots with their status, a JSON report, and a contact sheet of sample patches to see what the model will see.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="55" />
      <source>Minimum valid fraction of a patch</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="58" />
      <source>Plots with their status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="60" />
      <source>Report (JSON)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="60" />
      <source>JSON files (*.json)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="62" />
      <source>Contact sheet (PNG)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="62" />
      <source>PNG images (*.png)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="64" />
      <source>Usable plots</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="65" />
      <source>Plots</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="30" />
      <source>Create demo landscape</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="33" />
      <source>Writes a synthetic alpine landscape to try BotaCLIP without your own data: a 4-band orthophoto (red, green, blue, near-infrared, 0.5 m pixels), vegetation relevés (a point layer with one cover column per taxon, and the same relevés as a long table plot_id, taxon, Braun-Blanquet code with a plot table of coordinates), butterfly transect points, soil nematode samples, and the ground truth (habitat, elevation, moisture) they were drawn from.

Everything is made up (placed in Lambert-93 in the French Alps so that it looks at home): the same size and seed always give the same files.

Scene size: side of the square in metres (300 to 20000; 2000 takes about a minute). Seed: another number gives another landscape.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="51" />
      <source>Scene size (m)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="59" />
      <source>Relevés as a long table (CSV)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="61" />
      <source>Plot table with coordinates (CSV)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="62" />
      <source>Butterflies</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="64" />
      <source>Soil samples</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="66" />
      <source>Number of relevés</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="67" />
      <source>Number of taxa</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="60" />
      <source>Streams an orthophoto through a model and writes an embedding raster: the image is cut into square patches on a grid (patch size and stride in metres), each patch becomes one pixel whose bands are the patch's embedding. The pixel size is the stride (default: half the patch, so that patches overlap); a patch with too few valid image pixels is no-data. An interrupted or cancelled run continues where it stopped when run again with the same settings.

Model: a model folder made by 'Train BotaCLIP model' (its backbone, bands and patch size are used; a weights file given here replaces the backbone weights it recorded). Without a model folder the raw backbone is used: choose it and its weights (empty: looked up in the weights folder of BotaCLIP settings), the sensor or wavelengths of the bands, and the patch size.

Extent and mask limit the area (the extent is taken in the orthophoto's CRS). Precision: bfloat16 is used only where its embeddings agree with float32. The embedding raster is a cloud-optimised GeoTIFF (float16 by default), written under its final name only when complete.

Preview: the first three principal components of the embeddings as an RGB image, loaded visible; the embedding raster itself is loaded unticked.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="82" />
      <source>Model folder (empty: the raw backbone below)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="87" />
      <source>Stride (m; 0: half the patch size)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="90" />
      <source>Extent (empty: the whole orthophoto)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="92" />
      <source>Mask polygons (optional)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="98" />
      <source>Embedding data type</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="101" />
      <source>Batch size (0: automatic)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="107" />
      <source>Embeddings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="109" />
      <source>Embedding preview (RGB)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="58" />
      <source>Evaluate embedding sources</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="61" />
      <source>Compares embedding sources as predictors on your data, with the protocol of the BotaCLIP paper: the spectral baseline (band statistics, always), the frozen image backbone (with a model folder, or when DOFA weights are found) and the BotaCLIP model (with a model folder). A source that cannot be evaluated is named in the report with the reason.

Tasks: plant presence per taxon from the relevés (taxa with at least the minimum number of presences and of absences; the plots the model was trained on are left out), and, optionally, the target field(s) of a point layer (presence, presence only, abundance or classes; automatic: presence with a field, presence only without).

Every source is judged on the same spatial folds (blocks with a buffer, repeated with new blocks), so that the comparison is paired: a Wilcoxon test across folds says whether one source beats another, and by how much.

Output: a folder with evaluation.json and report.html (box plots per source, a table laid out like the paper's, and sentences saying which source wins where, with how many folds and points stand behind each figure).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="82" />
      <source>Point layer to evaluate on as well (optional)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="85" />
      <source>Target field(s) of the point layer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="88" />
      <source>Task of the point layer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="89" />
      <source>Automatic (presence with a target field, presence only without)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="92" />
      <source>Model folder (empty: no BotaCLIP source; the backbone below)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="97" />
      <source>Repeats of the cross-validation</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="100" />
      <source>Spatial cross-validation folds</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="106" />
      <source>Taxa evaluated: at least this many presences and absences</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="113" />
      <source>Evaluation report folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="114" />
      <source>Evaluation report</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="116" />
      <source>Evaluation figures (evaluation.json)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="62" />
      <source>Groups the pixels of an embedding raster into k habitat types by k-means (fitted on a sample of pixels, then every pixel given its nearest centre, block by block) and writes a categorical cloud-optimised GeoTIFF with a colour per cluster and a legend (habitat 1, habitat 2...).

Number of clusters: 0 chooses k automatically, as in the BotaCLIP paper: the lowest Davies-Bouldin index over k from the minimum to the maximum (both included); the curve is written in the log. The same seed gives the same map.

Summary folder (optional): clusters.json and clusters.html with each cluster's area, and with an orthophoto a thumbnail of a representative place, and with the model folder the raster was made with the taxa most typical of each cluster.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="79" />
      <source>Number of clusters (0: chosen by the Davies-Bouldin index)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="82" />
      <source>Smallest k tried (automatic k)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="85" />
      <source>Largest k tried (automatic k)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="90" />
      <source>Orthophoto, for thumbnails in the summary (optional)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="93" />
      <source>Model folder, for typical taxa in the summary (optional)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="96" />
      <source>Summary folder (optional)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="37" />
      <source>Import relevés from a long table</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="40" />
      <source>Turns relevés kept as a long table -- one row per taxon in a plot: plot id, taxon name, cover, as exported from Turboveg or a spreadsheet -- and a plot table with the coordinates of each plot into a relevé point layer: one point per plot, one column per taxon, ready for the other BotaCLIP tools.

Covers may be Braun-Blanquet codes (r, +, 1, 2m, 2a, 2b, 3, 4, 5, converted to percent), percentages, fractions, presence marks (1/0, x) or counts; Automatic recognises them, choose the scale when numbers alone are ambiguous. A taxon recorded twice in a plot (tree and shrub layers) is combined. Taxon names are tidied (spaces, capitals, 'subsp.'), not matched to a checklist.

X and Y: the coordinate columns of the plot table, in the CRS you give (e.g. EPSG:4326 for longitude/latitude). Leave X and Y empty when the plot table is a point layer. Plot id in the long table: only when its name differs from the plot table's. A plot id that appears twice in the plot table is refused.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="56" />
      <source>CSV files (*.csv *.tsv *.txt);;All files (*.*)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="58" />
      <source>Long table (plot id, taxon, cover)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="61" />
      <source>Plot table with coordinates (or a point layer)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="63" />
      <source>CSV or vector files (*.csv *.tsv *.txt *.gpkg *.shp *.geojson);;All files (*.*)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="68" />
      <source>Taxon column (long table)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="70" />
      <source>Cover column (long table)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="72" />
      <source>X column (plot table)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="74" />
      <source>Y column (plot table)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="76" />
      <source>CRS of X and Y</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="81" />
      <source>Plot id column of the long table, if named differently</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="105" />
      <source>{plots} plots, {taxa} taxa (covers read as {scale}).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="46" />
      <source>Model</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="64" />
      <source>Image backbone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="67" />
      <source>timm model name (for the timm backbone, e.g. resnet50)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="70" />
      <source>Backbone weights file (empty: looked up in the weights folder of BotaCLIP settings)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="73" />
      <source>Random weights (for testing only: the results mean nothing)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="79" />
      <source>As in BotaCLIP settings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="88" />
      <source>Give the timm model's name (e.g. resnet50) for the timm backbone.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="40" />
      <source>BotaCLIP predictor (*.zip);;All files (*.*)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="45" />
      <source>AUC (presence)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="46" />
      <source>True skill statistic, TSS (presence)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="47" />
      <source>F1 at the TSS threshold (presence)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="48" />
      <source>Boyce index (presence only)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="49" />
      <source>Mean absolute error (abundance)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="50" />
      <source>Root mean square error (abundance)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="51" />
      <source>Spearman correlation (abundance)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="52" />
      <source>R² (abundance)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="53" />
      <source>Accuracy (classes)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="54" />
      <source>Macro-averaged F1 (classes)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="55" />
      <source>Cohen's kappa (classes)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="63" />
      <source>Prediction maps</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="117" />
      <source>Maps a plant, a habitat or any field of a point layer from an embedding raster (made by 'Embed orthophoto'): the embedding is read at every point, an estimator learns the field from it and predicts every pixel of the raster. Instead of an embedding raster, an orthophoto and a model folder may be given: the orthophoto is then embedded on the way into PRED.embeddings.tif beside the map (kept, and reused by a later run with the same inputs), and the embedding at each point is that of the patch centred exactly on it.

Task: presence (a 0/1 field: the probability of presence), presence only (every point a presence, compared with background points drawn from the raster: 10 per presence, at most 10 000, unless given), abundance (numbers; several fields give one band each) or classes (text or codes: one probability per class and the most probable class). Points outside the raster or on no-data are counted and named in the log, never dropped silently.

The estimator (a random forest by default) is judged by spatial block cross-validation: the points are grouped in square blocks (default: 5 pixels, at least twice the buffer), the blocks dealt into folds, and training points closer than the buffer (default: the embedding's patch side) to a test point are left out, so that no test point is judged by a neighbour seen in training. The figures of the first target come out as numbers (AUC, TSS, Boyce, MAE, kappa... by task; the others are empty); the report folder gets metrics.json with every target, every fold and the point counts.

Output: a cloud-optimised GeoTIFF with the prediction band(s), an uncertainty band (the spread of the fold models' predictions) and an area of applicability band (1 inside, 0 where the embedding differs from every training point so much that the model extrapolates). It is loaded styled: probabilities in viridis from 0 to 1, abundance on a sequential ramp, classes with their names. Predictor (optional): the fitted model saved to a file, which 'Apply predictor' maps onto another embedding raster made with the same model.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="149" />
      <source>Embedding raster (or an orthophoto and a model below)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="152" />
      <source>Orthophoto, embedded on the way (instead of an embedding raster)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="155" />
      <source>Model folder (with the orthophoto)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="158" />
      <source>Embedding stride in metres, with the orthophoto (empty: half the model's patch side)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="163" />
      <source>Target field(s) (several only for abundance; none for presence only: every point is a presence)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="174" />
      <source>Buffer around test points, in metres (empty: the embedding's patch side)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="177" />
      <source>Side of the spatial blocks, in metres (empty: 5 pixels, at least twice the buffer)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="180" />
      <source>Background points for presence only (empty: 10 per presence, at most 10 000)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="187" />
      <source>Report folder (metrics.json)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="189" />
      <source>Saved predictor (for 'Apply predictor')</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="191" />
      <source>Metrics file (metrics.json)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="192" />
      <source>Points with an embedding</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="194" />
      <source>Background points (presence only)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="207" />
      <source>Give an embedding raster, or an orthophoto and a model folder (the orthophoto is then embedded on the way), but not both.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="247" />
      <source>Cross-validated metrics of {target}: {metrics}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/provider.py" line="40" />
      <source>BotaCLIP {version}: botany-aware embeddings from orthophotos and relevés</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="49" />
      <source>Maps without labels</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="75" />
      <source>Maps how much every pixel of an embedding raster looks like what you ask for: the cosine similarity (from -1 to 1; 1: the same direction in the embedding space) of each pixel's embedding to a query.

The query is one of: a point (the embedding of the pixel under it: 'where else looks like this place'); or, with a model folder (the model the raster was embedded with), a species list typed as 'Name one; Name two=cover' (encoded by the model's relevé encoder: 'where does this community fit'), or relevés of a layer given by their plot ids (the mean of their encodings). A raster made without that model's adapter is refused, with the reason; a taxon the model does not know gets the nearest known names suggested.

Threshold (optional, -1 to 1): the area at or above it is counted and given in km² (AREA_ABOVE_KM2). The map is a cloud-optimised GeoTIFF with the query and statistics in its tags, loaded with a diverging ramp: blue -1, white 0, red 1. The interactive tool (BotaCLIP &gt; Find similar places) does the same for the map view by a click.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="96" />
      <source>Place to look like (a point; or a model and taxa or relevés below)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="99" />
      <source>Model folder (for taxa or relevés)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="102" />
      <source>Species list, e.g. 'Carex nigra; Juncus effusus=20' (with a model)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="105" />
      <source>Relevés (with a model and plot ids)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="108" />
      <source>Plot ids of the relevés, separated by commas</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="111" />
      <source>Threshold for the area (-1 to 1, optional)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="116" />
      <source>Area at or above the threshold (km²)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="117" />
      <source>Pixels with a similarity</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="129" />
      <source>Give one query: a point, or a species list, or relevés with their plot ids (the last two with a model folder).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="137" />
      <source>A species list or relevés need the model folder the embedding raster was made with (Model folder).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="145" />
      <source>Give the plot ids of the relevés to look like (Plot ids, e.g. 'P001, P007').</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="168" />
      <source>{km2:.4g} km² at or above {threshold:.2f}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="44" />
      <source>Maps where taxa would find their habitat, without any observation points: the model's relevé encoder places each taxon alone in the shared space, and every pixel of the embedding raster gets its cosine similarity to it (-1 to 1), one band per taxon.

Model folder: the model the embedding raster was made with (its adapter); another raster is refused with the reason. Taxa: names separated by ';' (names the model does not know are refused, with the nearest known names suggested), or All: every taxon of the model.

Expected community: two more bands, the expected richness (soft retrieval over the model's training relevés, with the temperature fitted on its validation split) and the most likely taxon per pixel, named in the legend.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="61" />
      <source>Embedding raster (made with this model)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="63" />
      <source>Taxa, separated by ';'</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="67" />
      <source>Expected community (richness and top taxon)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="71" />
      <source>Taxa mapped</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="39" />
      <source>Test recall@10, image to relevé (trained)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="41" />
      <source>Test recall@10, relevé to image (trained)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="43" />
      <source>Test recall@10, image to relevé (untrained)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="45" />
      <source>Test recall@10, relevé to image (untrained)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="46" />
      <source>Test recall@10 by chance</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="48" />
      <source>Validation recall@10, image to relevé (trained; chose the epoch)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="50" />
      <source>Validation recall@10, relevé to image (trained; chose the epoch)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="51" />
      <source>Validation recall@10 by chance</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="81" />
      <source>Trains a BotaCLIP model: it teaches a frozen Earth-observation image model (DOFA) what the vegetation relevés say about the image around each plot. A light adapter on the image features and a relevé encoder are trained together so that the image patch of a plot and its list of taxa get similar embeddings.

Relevés: one point (or polygon) per plot with one numeric column per taxon. Taxon columns: by default every numeric column except the plot id and coordinates. At least 150 usable plots are needed: 50 each to train, to choose the epoch kept (validation) and to test the model (the figures reported); by default 60 %, 20 % and 20 % of the plots, in separate spatial blocks. Training plots closer than the buffer (default: the patch size) to a validation or test plot are left out, so that no training patch overlaps a held-out one.

Sensor or wavelengths give each band its wavelength (see 'Check orthophoto and relevés'). Patch size: side of the square of image around each plot, in metres. Backbone: DOFA base is the reference; its weights file is looked up in the weights folder of BotaCLIP settings unless you give one. The spectral baseline needs no weights. Random weights are for testing the set-up only.

The backbone runs once per plot (and per flip and rotation of its patch); its features are cached, so a second training on the same data starts at once. Training stops early when the validation recall stops improving.

Outputs: the model folder (used by 'Embed orthophoto'), an HTML report with the loss curves and the test recall@1/5/10 of the trained model, the untrained model and chance, and these recalls as numbers: RECALL_*, UNTRAINED_* and CHANCE_10 are test figures (held-out plots that chose nothing); VAL_* are the validation figures, which chose the epoch and so flatter the model.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="111" />
      <source>Cover transform for the relevé encoder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="117" />
      <source>Epochs (at most; training stops early when it no longer improves)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="126" />
      <source>Buffer between training and held-out plots, in metres (empty: the patch size)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="130" />
      <source>Training report</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="133" />
      <source>Plots used</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="134" />
      <source>Test plots</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="136" />
      <source>Training plots left out by the buffer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="138" />
      <source>Best epoch</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="39" />
      <source>BotaCLIP settings</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="48" />
      <source>Folder holding the backbone weights (.pth or .safetensors files). Empty: the default folder shown. BotaCLIP never downloads weights by itself.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="51" />
      <source>Model weights folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="54" />
      <source>Automatic (GPU when available)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="55" />
      <source>NVIDIA GPU (CUDA)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="58" />
      <source>Where the models run.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="62" />
      <source>Features computed once per orthophoto are kept here so that training again is fast. Empty: the default folder.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="64" />
      <source>Cache folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="68" />
      <source>Automatic</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="69" />
      <source>CPU threads for the models; Automatic uses all cores.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="70" />
      <source>CPU threads</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="72" />
      <source>not set</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="73" />
      <source>A folder where you installed Python packages with 'pip install --target'. It is searched first; restart QGIS after changing it if packages were already loaded.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="76" />
      <source>Extra Python packages folder</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="123" />
      <source>The model weights folder {path} does not exist.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="126" />
      <source>The cache folder {path} does not exist and cannot be created: its parent folder is missing.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="130" />
      <source>The extra Python packages folder {path} does not exist.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="83" />
      <source>Unexpected error in {task}: {error}. The details are in the log (View &gt; Panels &gt; Log Messages, BotaCLIP tab).</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="98" />
      <source>Error while finishing {task}:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="119" />
      <source>{task}: cancelled.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="124" />
      <source>{task} was cancelled; nothing was written.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="129" />
      <source>{task} stopped without a result.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="158" />
      <source>{task}: {n} warning(s). {first}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="114" />
      <source>Copy path</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="116" />
      <source>Copy the full path to the clipboard</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="209" />
      <source>Web link</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="209" />
      <source>The system browser could not be started. Copy the address into a browser:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="244" />
      <source>This image cannot be read: {error}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="249" />
      <source>Fit to window</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="358" />
      <source>This folder could not be opened by the system. Its full path:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="360" />
      <source>No program to open this file was found. Its full path:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="362" />
      <source>This file does not exist (any more):</source>
      <translation type="unfinished" />
    </message>
  </context>
</TS>
