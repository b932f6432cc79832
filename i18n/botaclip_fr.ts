<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
  <context>
    <name>BotaCLIP</name>
    <message>
      <location filename="../plugin/deps.py" line="45" />
      <source>everything</source>
      <translation>tout</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="47" />
      <source>everything (reading rasters and vectors)</source>
      <translation>tout (lecture des rasters et des vecteurs)</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="48" />
      <source>demo data</source>
      <translation>données de démonstration</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="49" />
      <source>contact sheets and reports</source>
      <translation>planches contact et rapports</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="50" />
      <source>models: training, embeddings, maps</source>
      <translation>modèles : entraînement, plongements, cartes</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="54" />
      <source>the optional timm backbone (with torchvision)</source>
      <translation>le backbone timm optionnel (avec torchvision)</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="56" />
      <source>models: saving and loading weights</source>
      <translation>modèles : enregistrement et chargement des poids</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="57" />
      <source>predictors and evaluation</source>
      <translation>prédicteurs et évaluation</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="60" />
      <source>embeddings: batch size from the free memory</source>
      <translation>plongements : taille des lots selon la mémoire libre</translation>
    </message>
    <message>
      <location filename="../plugin/deps.py" line="65" />
      <source>the optional Dask scheduler (scale-out embedding)</source>
      <translation>l'ordonnanceur Dask optionnel (plongements répartis)</translation>
    </message>
    <message>
      <location filename="../plugin/diagnostics.py" line="157" />
      <source>BotaCLIP diagnostics</source>
      <translation>Diagnostic BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/diagnostics.py" line="170" />
      <source>BotaCLIP</source>
      <translation>BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/diagnostics.py" line="170" />
      <source>Diagnostics copied to the clipboard: paste them into your issue.</source>
      <translation>Diagnostic copié dans le presse-papiers : collez-le dans votre ticket.</translation>
    </message>
    <message>
      <location filename="../plugin/diagnostics.py" line="172" />
      <source>Show</source>
      <translation>Afficher</translation>
    </message>
    <message>
      <location filename="../plugin/diagnostics.py" line="180" />
      <source>The diagnostics could not be gathered: {error}</source>
      <translation>Impossible de recueillir le diagnostic : {error}</translation>
    </message>
    <message>
      <location filename="../plugin/diagnostics.py" line="214" />
      <source>This report is on the clipboard. Paste it into your issue (at {tracker}): it holds no file contents, only versions, folders and the last BotaCLIP messages.</source>
      <translation>Ce rapport est dans le presse-papiers. Collez-le dans votre ticket (sur {tracker}) : il ne contient le contenu d'aucun fichier, seulement des versions, des dossiers et les derniers messages de BotaCLIP.</translation>
    </message>
    <message>
      <location filename="../plugin/diagnostics.py" line="227" />
      <source>Copy</source>
      <translation>Copier</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="82" />
      <source>Run</source>
      <translation>Exécuter</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="121" />
      <source>Cancel</source>
      <translation>Annuler</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="121" />
      <source>Close</source>
      <translation>Fermer</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="171" />
      <source>Waiting for the task manager…</source>
      <translation>En attente du gestionnaire de tâches…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="184" />
      <source>Cancelling…</source>
      <translation>Annulation…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="214" />
      <source>Cancelled; nothing was written.</source>
      <translation>Annulé ; rien n'a été écrit.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/base.py" line="289" />
      <source>Details…</source>
      <translation>Détails…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="29" />
      <source>BotaCLIP: check orthophoto and relevés</source>
      <translation>BotaCLIP : vérifier orthophoto et relevés</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="39" />
      <source>A plot is usable only if at least this share of its patch holds image pixels, not no-data (default 80 %): lower it for plots near the edge of the orthophoto.</source>
      <translation>Une placette n'est utilisable que si au moins cette part de son imagette contient des pixels d'image, et non des pixels sans données (par défaut 80 %) : abaissez-la pour les placettes proches du bord de l'orthophoto.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="42" />
      <source>Minimum valid pixels</source>
      <translation>Pixels valides minimum</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="44" />
      <source>Make a contact sheet of sample patches (PNG)</source>
      <translation>Créer une planche contact d'imagettes exemples (PNG)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="46" />
      <source>Write contact_sheet.png: the image patches of sample plots side by side, to see what the model will see (on by default).</source>
      <translation>Écrire contact_sheet.png : les imagettes de placettes exemples côte à côte, pour voir ce que verra le modèle (activé par défaut).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="52" />
      <source>Where the plot status layer, the JSON report and the contact sheet are written.</source>
      <translation>Où sont écrits la couche d'état des placettes, le rapport JSON et la planche contact.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="54" />
      <source>Output folder</source>
      <translation>Dossier de sortie</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="61" />
      <source>Open contact sheet</source>
      <translation>Ouvrir la planche contact</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="83" />
      <source>Choose an output folder.</source>
      <translation>Choisissez un dossier de sortie.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="100" />
      <source>Check orthophoto and relevés</source>
      <translation>Vérifier orthophoto et relevés</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="108" />
      <source>Plot status</source>
      <translation>État des placettes</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/check_dialog.py" line="115" />
      <source>{usable} of {total} plots can be used for training; {taxa} taxa; cover scale: {scale}.</source>
      <translation>{usable} placettes sur {total} utilisables pour l'entraînement ; {taxa} taxons ; échelle de recouvrement : {scale}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="55" />
      <source>Add an orthophoto (a raster layer) to the project and choose it.</source>
      <translation>Ajoutez une orthophoto (couche raster) au projet et choisissez-la.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="57" />
      <source>The orthophoto must be a raster file; save '{name}' as a GeoTIFF first.</source>
      <translation>L'orthophoto doit être un fichier raster ; enregistrez d'abord « {name} » en GeoTIFF.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="81" />
      <source>How the covers are written. Automatic recognises Braun-Blanquet codes, presence marks, fractions, percentages and counts; choose the scale when numbers alone are ambiguous (1-5 could be codes or percent).</source>
      <translation>Comment les recouvrements sont notés. Automatique reconnaît les indices de Braun-Blanquet, les marques de présence, les fractions, les pourcentages et les effectifs ; choisissez l'échelle quand les nombres seuls sont ambigus (1-5 peut désigner des indices ou des pourcentages).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="92" />
      <source>Which camera or satellite took the orthophoto: this gives the wavelength of each band. Automatic (the default) reads the band names or colours of the file; choose the sensor when they say nothing (Band 1, Band 2...).</source>
      <translation>La caméra ou le satellite qui a pris l'orthophoto : cela donne la longueur d'onde de chaque bande. Automatique (par défaut) lit les noms ou couleurs des bandes du fichier ; choisissez le capteur quand ils n'indiquent rien (Bande 1, Bande 2...).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="104" />
      <source>Where the model runs. Automatic uses a CUDA GPU when PyTorch sees one; the default comes from BotaCLIP &gt; Settings….</source>
      <translation>Où le modèle s'exécute. Automatique utilise un GPU CUDA si PyTorch en détecte un ; la valeur par défaut vient de BotaCLIP &gt; Paramètres….</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="175" />
      <source>Search taxa…</source>
      <translation>Chercher un taxon…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="177" />
      <source>Type part of a taxon's name to show only the matching columns; All and None then act on those.</source>
      <translation>Saisissez une partie du nom d'un taxon pour n'afficher que les colonnes correspondantes ; Tous et Aucun agissent alors sur celles-ci.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="183" />
      <source>Tick the columns that hold taxa (covers, presence or counts); all are ticked at first. Identifiers, coordinates and BotaCLIP's own fields are not listed.</source>
      <translation>Cochez les colonnes des taxons (recouvrements, présences ou effectifs) ; toutes sont cochées au départ. Les identifiants, les coordonnées et les champs propres à BotaCLIP ne sont pas listés.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="187" />
      <source>All</source>
      <translation>Tous</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="187" />
      <source>None</source>
      <translation>Aucun</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="200" />
      <source>The columns holding taxa (covers, presence or counts). Identifiers, coordinates and BotaCLIP's own fields are not listed.</source>
      <translation>Les colonnes des taxons (recouvrements, présences ou effectifs). Les identifiants, les coordonnées et les champs propres à BotaCLIP ne sont pas listés.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="226" />
      <source>{n} of {total} ticked</source>
      <translation>{n} sur {total} cochés</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="269" />
      <source>The aerial image (any raster QGIS reads from a file).</source>
      <translation>L'image aérienne (tout raster que QGIS lit depuis un fichier).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="270" />
      <source>Orthophoto</source>
      <translation>Orthophoto</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="274" />
      <source>Vegetation plots: one point (or polygon) per relevé, one numeric column per taxon.</source>
      <translation>Placettes de végétation : un point (ou polygone) par relevé, une colonne numérique par taxon.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="276" />
      <source>Relevés</source>
      <translation>Relevés</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="280" />
      <source>The column that names each plot. Empty: 'plot_id' if there is one, else the feature id.</source>
      <translation>La colonne qui identifie chaque placette. Vide : « plot_id » s'il existe, sinon l'identifiant de l'entité.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="282" />
      <source>Plot id column</source>
      <translation>Colonne d'identifiant</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="285" />
      <source>Taxon columns</source>
      <translation>Colonnes des taxons</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="288" />
      <source>Cover scale</source>
      <translation>Échelle de recouvrement</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="331" />
      <source>Add a relevé layer (points) to the project and choose it.</source>
      <translation>Ajoutez une couche de relevés (points) au projet et choisissez-la.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="333" />
      <source>The relevé layer has no numeric column to read as taxa. For a long table (plot, taxon, cover) use 'Import relevés from a long table…' first.</source>
      <translation>La couche de relevés n'a aucune colonne numérique à lire comme taxons. Pour une table longue (placette, taxon, recouvrement), utilisez d'abord « Importer des relevés depuis une table longue… ».</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="337" />
      <source>Tick at least one taxon column.</source>
      <translation>Cochez au moins une colonne de taxon.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="358" />
      <source>Sensor</source>
      <translation>Capteur</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="361" />
      <source>optional, e.g. 0.665, 0.56, 0.49, 0.842</source>
      <translation>facultatif, p. ex. 0.665, 0.56, 0.49, 0.842</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="362" />
      <source>Centre wavelength of each band in micrometres, in band order, e.g. 0.665, 0.56, 0.49, 0.842 for red, green, blue, near-infrared; overrides the sensor. Empty (the default): from the sensor.</source>
      <translation>Longueur d'onde centrale de chaque bande en micromètres, dans l'ordre des bandes, p. ex. 0.665, 0.56, 0.49, 0.842 pour rouge, vert, bleu, proche infrarouge ; prime sur le capteur. Vide (par défaut) : d'après le capteur.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="366" />
      <source>Band wavelengths (µm)</source>
      <translation>Longueurs d'onde (µm)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="372" />
      <source> m</source>
      <translation> m</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="374" />
      <source>Patch size</source>
      <translation>Taille d'imagette</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="397" />
      <source>The frozen image model. DOFA base (the default) reads any bands through their wavelengths; timm models read red, green and blue; the spectral baseline needs no weights and runs in seconds, to try a set-up.</source>
      <translation>Le modèle d'image figé. DOFA base (par défaut) lit toutes les bandes grâce à leurs longueurs d'onde ; les modèles timm lisent le rouge, le vert et le bleu ; la référence spectrale n'a pas besoin de poids et s'exécute en quelques secondes, pour essayer une configuration.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="401" />
      <source>Backbone</source>
      <translation>Backbone</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="403" />
      <source>timm model name, e.g. resnet50</source>
      <translation>nom du modèle timm, p. ex. resnet50</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="404" />
      <source>The name of the timm image model, as timm spells it (e.g. resnet50); its weights file goes in Weights.</source>
      <translation>Le nom du modèle d'image timm, tel que timm l'écrit (p. ex. resnet50) ; son fichier de poids s'indique dans Poids.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="406" />
      <source>timm model</source>
      <translation>Modèle timm</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="409" />
      <source>Weights files (*.safetensors *.pth *.pt *.ckpt *.bin);;All files (*.*)</source>
      <translation>Fichiers de poids (*.safetensors *.pth *.pt *.ckpt *.bin);;Tous les fichiers (*.*)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="411" />
      <source>The backbone's weights file. Empty: the DOFA file is looked up in the weights folder of BotaCLIP &gt; Settings….</source>
      <translation>Le fichier de poids du backbone. Vide : le fichier DOFA est cherché dans le dossier des poids de BotaCLIP &gt; Paramètres….</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="414" />
      <source>Random weights (testing only)</source>
      <translation>Poids aléatoires (tests uniquement)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="415" />
      <source>Seeded random backbone weights, to test a set-up without the weights file: the results mean nothing. Recorded in every output.</source>
      <translation>Poids aléatoires du backbone, tirés d'une graine, pour tester une configuration sans le fichier de poids : les résultats n'ont aucun sens. Indiqué dans chaque sortie.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="423" />
      <source>Weights</source>
      <translation>Poids</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="442" />
      <source>empty: look in {folder}</source>
      <translation>vide : chercher dans {folder}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="448" />
      <source>Give the timm model's name (e.g. resnet50).</source>
      <translation>Indiquez le nom du modèle timm (p. ex. resnet50).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="453" />
      <source>The weights file {path} does not exist.</source>
      <translation>Le fichier de poids {path} n'existe pas.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="455" />
      <source>A timm backbone needs its weights file.</source>
      <translation>Un backbone timm a besoin de son fichier de poids.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="457" />
      <source>{backbone} needs its weights file, and none is in the weights folder {folder}. Choose the file, or use the spectral baseline, which needs none.</source>
      <translation>{backbone} a besoin de son fichier de poids, et le dossier des poids {folder} n'en contient aucun. Choisissez le fichier, ou utilisez la référence spectrale, qui n'en a pas besoin.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="485" />
      <source>Get weights…</source>
      <translation>Obtenir les poids…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="486" />
      <source>Choose weights file…</source>
      <translation>Choisir le fichier de poids…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="487" />
      <source>Use the spectral baseline</source>
      <translation>Utiliser la référence spectrale</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="499" />
      <source>Backbone weights file</source>
      <translation>Fichier de poids du backbone</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/common.py" line="535" />
      <source>Side of the square image patch centred on each plot, in metres (default 100 m, as in the BotaCLIP paper): the image the model reads for each relevé.</source>
      <translation>Côté de l'imagette carrée centrée sur chaque placette, en mètres (par défaut 100 m, comme dans l'article BotaCLIP) : l'image que lit le modèle pour chaque relevé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="29" />
      <source>BotaCLIP demo</source>
      <translation>Démo BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="43" />
      <source>BotaCLIP demo (synthetic landscape)</source>
      <translation>Démo BotaCLIP (paysage synthétique)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="43" />
      <source>Inputs</source>
      <translation>Entrées</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="44" />
      <source>Embeddings</source>
      <translation>Plongements</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="44" />
      <source>Predictions</source>
      <translation>Prédictions</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="45" />
      <source>Zero-shot</source>
      <translation>Sans observations</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="45" />
      <source>Habitats</source>
      <translation>Habitats</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="46" />
      <source>Orthophoto (synthetic)</source>
      <translation>Orthophoto (synthétique)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="47" />
      <source>Butterfly transects</source>
      <translation>Transects de papillons</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="47" />
      <source>Soil samples</source>
      <translation>Échantillons de sol</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="48" />
      <source>Plot check</source>
      <translation>Vérification des placettes</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="48" />
      <source>Embedding (RGB preview)</source>
      <translation>Plongements (aperçu RVB)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="49" />
      <source>Embedding raster (click here to find similar places)</source>
      <translation>Raster de plongements (cliquez ici pour trouver des lieux similaires)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="52" />
      <source>Similarity to {habitat} relevé {plot}</source>
      <translation>Similarité avec le relevé {plot} ({habitat})</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="53" />
      <source>Suitability: {taxon}</source>
      <translation>Aptitude : {taxon}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="55" />
      <source>Habitat clusters (k = {k})</source>
      <translation>Groupes d'habitats (k = {k})</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="57" />
      <source>{target} ({task})</source>
      <translation>{target} ({task})</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="58" />
      <source>presence</source>
      <translation>présence</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="58" />
      <source>abundance</source>
      <translation>abondance</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="59" />
      <source>Generating the synthetic demo landscape</source>
      <translation>Génération du paysage synthétique de démonstration</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="60" />
      <source>Checking the orthophoto against the relevés</source>
      <translation>Vérification de l'orthophoto et des relevés</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="61" />
      <source>Training a model</source>
      <translation>Entraînement d'un modèle</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="61" />
      <source>Embedding the orthophoto</source>
      <translation>Calcul des plongements de l'orthophoto</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="62" />
      <source>Predicting maps from point layers</source>
      <translation>Prédiction de cartes à partir des couches de points</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="63" />
      <source>Evaluating the embeddings against the baselines</source>
      <translation>Évaluation des plongements par rapport aux références</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="64" />
      <source>Similarity to a relevé</source>
      <translation>Similarité avec un relevé</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="64" />
      <source>Species suitability</source>
      <translation>Aptitude des espèces</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="65" />
      <source>Habitat clusters</source>
      <translation>Groupes d'habitats</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="107" />
      <source>Step {n} of {total}: {title}</source>
      <translation>Étape {n} sur {total} : {title}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="144" />
      <source>BotaCLIP: create demo data</source>
      <translation>BotaCLIP : créer des données de démonstration</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="145" />
      <source>Writes a small synthetic alpine landscape: a 4-band orthophoto (red, green, blue, near-infrared), vegetation relevés, butterfly and soil samples, and the ground truth they were drawn from. Everything is made up, so you can try BotaCLIP without data.</source>
      <translation>Écrit un petit paysage alpin synthétique : une orthophoto à 4 bandes (rouge, vert, bleu, proche infrarouge), des relevés de végétation, des échantillons de papillons et de sol, et la vérité terrain dont ils sont tirés. Tout est inventé : vous pouvez essayer BotaCLIP sans données.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="154" />
      <source>The files are written into this folder (created if needed); existing demo files there are replaced.</source>
      <translation>Les fichiers sont écrits dans ce dossier (créé si besoin) ; les fichiers de démonstration qui s'y trouvent déjà sont remplacés.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="163" />
      <source>Side of the square scene. 2000 m takes about a minute.</source>
      <translation>Côté de la scène carrée. 2000 m prennent environ une minute.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="164" />
      <source>Scene size</source>
      <translation>Taille de la scène</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="168" />
      <source>The same seed and size always give the same files; another seed gives another landscape.</source>
      <translation>La même graine et la même taille donnent toujours les mêmes fichiers ; une autre graine donne un autre paysage.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="170" />
      <source>Random seed</source>
      <translation>Graine aléatoire</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="189" />
      <source>Runs the same steps as 'botaclip demo --quick', on this scene drawn at {px} m pixels: checks the relevés against the orthophoto, trains a model on the spectral baseline backbone ({epochs} epochs, no weights to download), embeds the orthophoto, predicts a butterfly, a soil fauna and a plant map, maps the similarity to a relevé, the suitability of two trees and habitat clusters, then writes the project {project} into the folder and opens it. The data go into the folder's 'data' subfolder.</source>
      <translation>Exécute les mêmes étapes que « botaclip demo --quick », sur cette scène dessinée en pixels de {px} m : vérifie les relevés par rapport à l'orthophoto, entraîne un modèle sur le backbone de la référence spectrale ({epochs} époques, aucun poids à télécharger), calcule les plongements de l'orthophoto, prédit une carte de papillons, une de faune du sol et une de plantes, cartographie la similarité avec un relevé, l'aptitude de deux arbres et des groupes d'habitats, puis écrit le projet {project} dans le dossier et l'ouvre. Les données vont dans le sous-dossier « data » du dossier.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="216" />
      <source>Orthophoto of {px} × {px} pixels at {res} m.</source>
      <translation>Orthophoto de {px} × {px} pixels à {res} m.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="219" />
      <source>The whole job: check, train, embed, predict maps, similarity, suitability, habitat clusters (its time is for two CPU cores), then the project {project} opens with their styled maps.</source>
      <translation>La démo complète : vérification, entraînement, plongements, cartes de prédiction, similarité, aptitude, groupes d'habitats (durée indiquée pour deux cœurs CPU), puis le projet {project} s'ouvre avec leurs cartes symbolisées.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="224" />
      <source>Also run the whole demo job (about {seconds} s; a project opens)</source>
      <translation>Exécuter aussi la démo complète (environ {seconds} s ; un projet s'ouvre)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="233" />
      <source>{path} is a file: choose a folder.</source>
      <translation>{path} est un fichier : choisissez un dossier.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="241" />
      <source>The whole demo job needs a scene of at least {min} m: a smaller one holds too few relevés to train a model on. Make the scene larger, or untick the whole job.</source>
      <translation>La démo complète demande une scène d'au moins {min} m : une scène plus petite contient trop peu de relevés pour entraîner un modèle. Agrandissez la scène, ou décochez la démo complète.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="245" />
      <source>The whole demo job draws the scene at {px} m pixels: choose a size that is a multiple of {px} m.</source>
      <translation>La démo complète dessine la scène en pixels de {px} m : choisissez une taille multiple de {px} m.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="268" />
      <source>Run the whole BotaCLIP demo job</source>
      <translation>Exécuter la démo BotaCLIP complète</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="270" />
      <source>Create BotaCLIP demo data</source>
      <translation>Créer les données de démonstration BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="276" />
      <source>Cancelled: no project was written. The steps finished before the cancel keep their complete files in {folder}; the step under way left nothing.</source>
      <translation>Annulé : aucun projet n'a été écrit. Les étapes terminées avant l'annulation conservent leurs fichiers complets dans {folder} ; l'étape en cours n'a rien laissé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="291" />
      <source>Relevés (demo)</source>
      <translation>Relevés (démo)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="292" />
      <source>Butterflies (demo)</source>
      <translation>Papillons (démo)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="294" />
      <source>Soil samples (demo)</source>
      <translation>Échantillons de sol (démo)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="295" />
      <source>Orthophoto (demo)</source>
      <translation>Orthophoto (démo)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="298" />
      <source>Demo data written to {folder}: {n} relevés, {t} taxa.</source>
      <translation>Données de démonstration écrites dans {folder} : {n} relevés, {t} taxons.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="313" />
      <source>Project: {path}</source>
      <translation>Projet : {path}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="315" />
      <source>Whole demo job done in {seconds} s: its project is open. Tick the layers of each group to see its maps.</source>
      <translation>Démo complète terminée en {seconds} s : son projet est ouvert. Cochez les couches de chaque groupe pour voir ses cartes.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/demo_dialog.py" line="320" />
      <source>Whole demo job done in {seconds} s. Its project {path} was not opened, so the current project stays as it was: open it with Project &gt; Open.</source>
      <translation>Démo complète terminée en {seconds} s. Son projet {path} n'a pas été ouvert, le projet actuel reste donc inchangé : ouvrez-le avec Projet &gt; Ouvrir.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="68" />
      <source>BotaCLIP: install Python packages</source>
      <translation>BotaCLIP : installer des paquets Python</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="82" />
      <source>The pip commands that install the same packages from a terminal, for people who prefer one.</source>
      <translation>Les commandes pip qui installent les mêmes paquets depuis un terminal, pour qui le préfère.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="88" />
      <source>Install</source>
      <translation>Installer</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="97" />
      <source>Also install timm and torchvision (only for the optional timm backbone)</source>
      <translation>Installer aussi timm et torchvision (seulement pour le backbone timm facultatif)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="99" />
      <source>timm serves only the timm:NAME backbone; DOFA needs neither it nor torchvision. Leave it unticked unless you use it.</source>
      <translation>timm ne sert qu'au backbone timm:NAME ; DOFA n'a besoin ni de lui ni de torchvision. Laissez la case décochée sauf si vous l'utilisez.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="106" />
      <source>The packages go into this folder of your QGIS profile: no administrator rights are needed and QGIS's own Python is not changed. Delete the folder to undo.</source>
      <translation>Les paquets sont installés dans ce dossier de votre profil QGIS : aucun droit d'administrateur n'est nécessaire et le Python de QGIS n'est pas modifié. Supprimez le dossier pour annuler.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="109" />
      <source>Install into</source>
      <translation>Installer dans</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="117" />
      <source>What pip reports while it works; kept until the dialog closes (and in the BotaCLIP log).</source>
      <translation>Ce que pip affiche pendant son travail ; conservé jusqu'à la fermeture de la fenêtre (et dans le journal de BotaCLIP).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="119" />
      <source>Log</source>
      <translation>Journal</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="127" />
      <source>Online</source>
      <translation>En ligne</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="128" />
      <source>Download the packages from the internet (PyPI, and download.pytorch.org for torch), through the proxy set in QGIS's Settings &gt; Options &gt; Network.</source>
      <translation>Télécharger les paquets depuis Internet (PyPI, et download.pytorch.org pour torch), via le proxy défini dans Préférences &gt; Options &gt; Réseau de QGIS.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="131" />
      <source>From a wheelhouse</source>
      <translation>Depuis un wheelhouse</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="132" />
      <source>Install without internet from a wheelhouse made with 'make wheelhouse' (a folder of wheels with manifest.json, or its zip); every file is checked against the manifest first.</source>
      <translation>Installer sans Internet depuis un wheelhouse créé avec « make wheelhouse » (un dossier de wheels avec manifest.json, ou son zip) ; chaque fichier est d'abord vérifié par rapport au manifeste.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="142" />
      <source>Source</source>
      <translation>Source</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="145" />
      <source>Wheelhouse (*.zip manifest.json)</source>
      <translation>Wheelhouse (*.zip manifest.json)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="146" />
      <source>The wheelhouse: its zip file, or the manifest.json in its folder (a folder path typed here works too).</source>
      <translation>Le wheelhouse : son fichier zip, ou le manifest.json de son dossier (un chemin de dossier saisi ici fonctionne aussi).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="148" />
      <source>Wheelhouse</source>
      <translation>Wheelhouse</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="161" />
      <source>Which build of torch to install. The CPU build runs everywhere; a CUDA build uses an NVIDIA GPU and needs a driver at least as new as its CUDA version. The choice below comes from the GPU and driver found on this computer.</source>
      <translation>La variante de torch à installer. La variante CPU fonctionne partout ; une variante CUDA utilise un GPU NVIDIA et demande un pilote au moins aussi récent que sa version de CUDA. Le choix ci-dessous est déduit du GPU et du pilote trouvés sur cet ordinateur.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="170" />
      <source>torch build</source>
      <translation>Variante de torch</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="174" />
      <source>Show commands</source>
      <translation>Afficher les commandes</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="178" />
      <source>Show the pip commands that install the same packages from a terminal.</source>
      <translation>Afficher les commandes pip qui installent les mêmes paquets depuis un terminal.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="181" />
      <source>Copy commands</source>
      <translation>Copier les commandes</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="185" />
      <source>Copy the pip commands to the clipboard.</source>
      <translation>Copier les commandes pip dans le presse-papiers.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="191" />
      <source>Every package BotaCLIP needs is found.</source>
      <translation>Tous les paquets nécessaires à BotaCLIP sont présents.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="194" />
      <source>BotaCLIP's own folder, {folder}, is on QGIS's Python path at every start: no setting is needed for it.</source>
      <translation>Le dossier propre à BotaCLIP, {folder}, est ajouté au chemin Python de QGIS à chaque démarrage : il ne demande aucun réglage.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="202" />
      <source>missing</source>
      <translation>absent</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="202" />
      <source>version {found} is too old</source>
      <translation>version {found} trop ancienne</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="204" />
      <source>{name} ({state}): needed for {what}</source>
      <translation>{name} ({state}) : nécessaire pour {what}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="207" />
      <source>BotaCLIP cannot use these Python packages yet:</source>
      <translation>BotaCLIP ne peut pas encore utiliser ces paquets Python :</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="221" />
      <source>Choose a wheelhouse: its zip file or the manifest.json in its folder.</source>
      <translation>Choisissez un wheelhouse : son fichier zip ou le manifest.json de son dossier.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="245" />
      <source>{names} come with QGIS and cannot be installed here: reinstall or repair QGIS (on Linux, the python3-gdal package).</source>
      <translation>{names} sont fournis avec QGIS et ne peuvent pas être installés ici : réinstallez ou réparez QGIS (sous Linux, le paquet python3-gdal).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="248" />
      <source>Nothing to install: every package BotaCLIP needs is found.</source>
      <translation>Rien à installer : tous les paquets nécessaires à BotaCLIP sont présents.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="257" />
      <source>The wheelhouse brings torch {version}.</source>
      <translation>Le wheelhouse fournit torch {version}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="260" />
      <source>This wheelhouse holds none of the missing packages.</source>
      <translation>Ce wheelhouse ne contient aucun des paquets manquants.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="289" />
      <source>Installing Python packages for BotaCLIP</source>
      <translation>Installation de paquets Python pour BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="301" />
      <source>Installing {names} into {folder}</source>
      <translation>Installation de {names} dans {folder}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="304" />
      <source>From the wheelhouse {path}</source>
      <translation>Depuis le wheelhouse {path}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="307" />
      <source>torch build: {label}</source>
      <translation>Variante de torch : {label}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="314" />
      <source>Not in the wheelhouse, left out: {names}</source>
      <translation>Absents du wheelhouse, non installés : {names}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="330" />
      <source>Nothing was installed: every package was already there.</source>
      <translation>Rien n'a été installé : tous les paquets étaient déjà présents.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="331" />
      <source>Installed {n} packages into {folder}.</source>
      <translation>{n} paquets installés dans {folder}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="336" />
      <source>Now available: {actions}.</source>
      <translation>Désormais disponibles : {actions}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="339" />
      <source>Restart QGIS to finish: the packages are put in place at the next start.</source>
      <translation>Redémarrez QGIS pour terminer : les paquets seront mis en place au prochain démarrage.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="343" />
      <source>Restart QGIS: this session keeps the torch it already loaded.</source>
      <translation>Redémarrez QGIS : cette session conserve le torch qu'elle a déjà chargé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/deps_dialog.py" line="347" />
      <source>Cancelled: the packages folder is exactly as it was.</source>
      <translation>Annulé : le dossier des paquets est exactement tel qu'il était.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="46" />
      <source>Red: 1st main contrast</source>
      <translation>Rouge : 1er contraste principal</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="47" />
      <source>Green: 2nd main contrast</source>
      <translation>Vert : 2e contraste principal</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="48" />
      <source>Blue: 3rd main contrast</source>
      <translation>Bleu : 3e contraste principal</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="69" />
      <source>This model uses the {backbone} backbone on {n} bands ({bands}) with {patch:g} m patches; it was trained on {plots} plots and {taxa} taxa.</source>
      <translation>Ce modèle utilise le backbone {backbone} sur {n} bandes ({bands}) avec des imagettes de {patch:g} m ; il a été entraîné sur {plots} placettes et {taxa} taxons.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="101" />
      <source>BotaCLIP: embed an orthophoto</source>
      <translation>BotaCLIP : calculer les plongements d'une orthophoto</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="108" />
      <source>The aerial image to embed (any raster QGIS reads from a file).</source>
      <translation>L'image aérienne à encoder (tout raster que QGIS lit depuis un fichier).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="112" />
      <source>empty: the raw backbone below</source>
      <translation>vide : le backbone brut ci-dessous</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="113" />
      <source>A model folder made by 'Train model…'. It names its own backbone, bands and patch size. Empty: the raw backbone chosen below, without BotaCLIP's training.</source>
      <translation>Un dossier de modèle créé par « Entraîner un modèle… ». Il indique lui-même son backbone, ses bandes et sa taille d'imagette. Vide : le backbone brut choisi ci-dessous, sans l'entraînement de BotaCLIP.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="116" />
      <source>Model folder</source>
      <translation>Dossier du modèle</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="141" />
      <source>Side of the square image patch behind each output pixel.</source>
      <translation>Côté de l'imagette carrée derrière chaque pixel de sortie.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="153" />
      <source>half the patch size</source>
      <translation>la moitié de l'imagette</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="154" />
      <source>Distance between patch centres: the pixel size of the embedding raster. Smaller than the patch, patches overlap (finer maps, longer runs); the default, half the patch, shows every point of the ground to four patches.</source>
      <translation>Distance entre les centres des imagettes : la taille de pixel du raster de plongements. Plus petit que l'imagette, les imagettes se chevauchent (cartes plus fines, calculs plus longs) ; par défaut, la moitié de l'imagette, chaque point du terrain est vu par quatre imagettes.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="158" />
      <source>Stride</source>
      <translation>Pas</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="161" />
      <source>Whole orthophoto</source>
      <translation>Orthophoto entière</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="164" />
      <source>Limit the run to this extent (taken in the orthophoto's CRS), e.g. the map view, to try settings on a small area first. Empty (the default): the whole orthophoto.</source>
      <translation>Limiter le calcul à cette emprise (prise dans le SCR de l'orthophoto), p. ex. la vue de la carte, pour essayer d'abord des paramètres sur une petite zone. Vide (par défaut) : toute l'orthophoto.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="167" />
      <source>Extent</source>
      <translation>Emprise</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="173" />
      <source>Optional polygons: only patches inside them are embedded, the rest is no-data (e.g. leave out lakes or towns). Empty (the default): every patch.</source>
      <translation>Polygones facultatifs : seules les imagettes situées à l'intérieur sont encodées, le reste est sans données (p. ex. pour exclure lacs ou villes). Vide (par défaut) : toutes les imagettes.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="176" />
      <source>Mask polygons</source>
      <translation>Polygones de masque</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="180" />
      <source>The arithmetic of the model. bfloat16 is about twice as fast on recent CPUs and GPUs; Automatic (the default) uses it only where its embeddings agree with float32. int8 (CPU only) is the fastest on some CPUs but changes results: with DOFA base, about one patch in twenty got another nearest neighbour than in float32, so Automatic never takes it. Chosen, it is used, with a warning giving its measured agreement with float32 when that is low.</source>
      <translation>L'arithmétique du modèle. bfloat16 est environ deux fois plus rapide sur les CPU et GPU récents ; Automatique (par défaut) ne l'utilise que là où ses plongements concordent avec float32. int8 (CPU uniquement) est le plus rapide sur certains CPU mais modifie les résultats : avec DOFA base, environ une imagette sur vingt a obtenu un autre plus proche voisin qu'en float32, donc Automatique ne le choisit jamais. S'il est choisi, il est utilisé, avec un avertissement indiquant sa concordance mesurée avec float32 quand elle est faible.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="189" />
      <source>Precision</source>
      <translation>Précision</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="190" />
      <source>Calibrate first</source>
      <translation>Calibrer d'abord</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="191" />
      <source>Measure the best batch size and reader threads on this machine before embedding (seconds to a minute), and keep the result for later runs with the same model and precision. Unticked (the default), they are measured once per machine, model and precision, and only for runs large enough to pay for it.</source>
      <translation>Mesurer la meilleure taille de lot et le meilleur nombre de threads de lecture sur cette machine avant le calcul des plongements (de quelques secondes à une minute), et conserver le résultat pour les calculs suivants avec le même modèle et la même précision. Décoché (par défaut), ils sont mesurés une fois par machine, modèle et précision, et seulement pour les calculs assez longs pour que cela en vaille la peine.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="199" />
      <source>Device</source>
      <translation>Processeur</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="201" />
      <source>How each value is stored in the embedding raster. float16 (the default) takes half the disk space of float32 and is precise enough for maps; float32 for exact values.</source>
      <translation>Comment chaque valeur est stockée dans le raster de plongements. float16 (par défaut) prend moitié moins d'espace disque que float32 et suffit en précision pour les cartes ; float32 pour des valeurs exactes.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="205" />
      <source>Data type</source>
      <translation>Type de données</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="209" />
      <source>Advanced</source>
      <translation>Avancé</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="213" />
      <source>empty: in QGIS, this process</source>
      <translation>vide : dans QGIS, ce processus</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="214" />
      <source>Optional: embed tile by tile on a Dask cluster. local or local:N starts N worker processes on this computer; tcp://HOST:PORT or the .json file a scheduler wrote joins a running cluster, whose workers must see the orthophoto, the model and the output folder under the same paths. The raster is the same; a stopped run continues from its finished tiles (kept in a folder NAME.tiles beside the output). Needs the Python package dask[distributed]. Empty (the default): the run stays in QGIS.</source>
      <translation>Facultatif : calculer les plongements tuile par tuile sur un cluster Dask. local ou local:N lance N processus de calcul sur cet ordinateur ; tcp://HOST:PORT ou le fichier .json écrit par un ordonnanceur rejoint un cluster déjà lancé, dont les processus de calcul doivent voir l'orthophoto, le modèle et le dossier de sortie sous les mêmes chemins. Le raster est le même ; un calcul arrêté reprend à partir de ses tuiles terminées (conservées dans un dossier NAME.tiles à côté de la sortie). Nécessite le paquet Python dask[distributed]. Vide (par défaut) : le calcul reste dans QGIS.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="222" />
      <source>Dask scheduler</source>
      <translation>Ordonnanceur Dask</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="233" />
      <source>The embedding raster to write: a cloud-optimised GeoTIFF with one band per embedding dimension.</source>
      <translation>Le raster de plongements à écrire : un GeoTIFF optimisé pour le cloud avec une bande par dimension du plongement.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="235" />
      <source>Embedding raster</source>
      <translation>Raster de plongements</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="236" />
      <source>Also write an RGB preview and show it</source>
      <translation>Écrire aussi un aperçu RVB et l'afficher</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="237" />
      <source>The first three principal components of the embeddings as an 8-bit RGB image: areas the model sees alike get alike colours.</source>
      <translation>Les trois premières composantes principales des plongements en image RVB 8 bits : les zones que le modèle voit comme semblables prennent des couleurs semblables.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="271" />
      <source>empty: the file the model was trained with</source>
      <translation>vide : le fichier avec lequel le modèle a été entraîné</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="302" />
      <source>{path} is not a model folder (it has no config.json).</source>
      <translation>{path} n'est pas un dossier de modèle (il n'a pas de config.json).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="305" />
      <source>The config.json of {path} cannot be read: train the model again.</source>
      <translation>Le config.json de {path} est illisible : entraînez de nouveau le modèle.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="311" />
      <source>The model's backbone weights file is not where it was when the model was trained, nor in the weights folder {folder}: choose it.</source>
      <translation>Le fichier de poids du backbone du modèle n'est plus là où il était lors de l'entraînement, ni dans le dossier des poids {folder} : choisissez-le.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="320" />
      <source>Choose where to write the embedding raster.</source>
      <translation>Choisissez où écrire le raster de plongements.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="322" />
      <source>Dask scheduler: give local, local:N (N worker processes on this computer), tcp://HOST:PORT (a running scheduler) or the .json file a scheduler wrote; or leave it empty to embed in QGIS.</source>
      <translation>Ordonnanceur Dask : indiquez local, local:N (N processus de calcul sur cet ordinateur), tcp://HOST:PORT (un ordonnanceur déjà lancé) ou le fichier .json écrit par un ordonnanceur ; ou laissez vide pour calculer les plongements dans QGIS.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="326" />
      <source>The embedding raster must be a GeoTIFF (.tif) file.</source>
      <translation>Le raster de plongements doit être un fichier GeoTIFF (.tif).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="329" />
      <source>The embedding raster cannot replace the orthophoto.</source>
      <translation>Le raster de plongements ne peut pas remplacer l'orthophoto.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="388" />
      <source>Embed orthophoto</source>
      <translation>Calculer les plongements</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="391" />
      <source>Cancelled: the embedding raster was not written. Any finished blocks are kept: Run again with the same settings continues where it stopped.</source>
      <translation>Annulé : le raster de plongements n'a pas été écrit. Les blocs terminés sont conservés : Exécuter de nouveau avec les mêmes paramètres reprend là où le calcul s'est arrêté.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="397" />
      <source>{name} (embeddings)</source>
      <translation>{name} (plongements)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="401" />
      <source>{name} preview: alike colour, alike place</source>
      <translation>Aperçu de {name} : couleurs proches, lieux proches</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="408" />
      <source>{n} patches embedded in {s:.0f} s ({rate:.1f} per second, {precision}); {nodata} pixels left empty (no image under them).</source>
      <translation>{n} imagettes encodées en {s:.0f} s ({rate:.1f} par seconde, {precision}) ; {nodata} pixels laissés vides (pas d'image dessous).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="413" />
      <source>Computed on Dask, tile by tile: {tiles} tile(s), {resumed} of them found already done.</source>
      <translation>Calculé sur Dask, tuile par tuile : {tiles} tuile(s), dont {resumed} déjà terminée(s).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/embed_dialog.py" line="416" />
      <source>Embeddings written to {path}: {width} × {height} pixels, one per patch centre, {bands} bands.</source>
      <translation>Plongements écrits dans {path} : {width} × {height} pixels, un par centre d'imagette, {bands} bandes.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="39" />
      <source>BotaCLIP: evaluate embeddings on your data</source>
      <translation>BotaCLIP : évaluer les plongements sur vos données</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="43" />
      <source>none</source>
      <translation>aucune</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="44" />
      <source>Vegetation plots for plant presence per taxon (optional when a point layer is given).</source>
      <translation>Placettes de végétation pour la présence des plantes par taxon (facultatif si une couche de points est fournie).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="48" />
      <source>Optional: your own observations (e.g. butterflies, soil samples) with the field to evaluate on.</source>
      <translation>Facultatif : vos propres observations (p. ex. papillons, échantillons de sol) avec le champ à évaluer.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="53" />
      <source>The folder to write evaluation.json (every score) and report.html (box plots and the tests, in sentences) in.</source>
      <translation>Le dossier où écrire evaluation.json (tous les scores) et report.html (boîtes à moustaches et tests, rédigés en phrases).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="55" />
      <source>Report folder</source>
      <translation>Dossier du rapport</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="56" />
      <source>Open report</source>
      <translation>Ouvrir le rapport</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="68" />
      <source>empty: the spectral baseline and DOFA base only</source>
      <translation>vide : seulement la référence spectrale et DOFA base</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="69" />
      <source>A model folder made by 'Train model…': adds the BotaCLIP model and the frozen backbone it was built on. Without one, DOFA base is compared when its weights are in the weights folder of the settings.</source>
      <translation>Un dossier de modèle créé par « Entraîner un modèle… » : ajoute le modèle BotaCLIP et le backbone figé sur lequel il repose. Sans lui, DOFA base est comparé si ses poids sont dans le dossier des poids des paramètres.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="84" />
      <source>The cross-validation is repeated with new blocks: 5 folds × 5 repeats give 25 paired scores per source, enough for a Wilcoxon test to see a consistent difference.</source>
      <translation>La validation croisée est répétée avec de nouveaux blocs : 5 plis × 5 répétitions donnent 25 scores appariés par source, assez pour qu'un test de Wilcoxon détecte une différence constante.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="88" />
      <source>Repeats</source>
      <translation>Répétitions</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="92" />
      <source>Spatial folds: blocks of points held out together, the same for every source, so that the comparison is paired (default 5).</source>
      <translation>Plis spatiaux : blocs de points mis de côté ensemble, les mêmes pour chaque source, pour que la comparaison soit appariée (par défaut 5).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="95" />
      <source>Folds</source>
      <translation>Plis</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="97" />
      <source>The model fitted on each source's embeddings; the random forest (the default) is the paper's.</source>
      <translation>Le modèle ajusté sur les plongements de chaque source ; la forêt aléatoire (par défaut) est celle de l'article.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="99" />
      <source>Estimator</source>
      <translation>Estimateur</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="118" />
      <source>Choose relevés, a point layer, or both: there is nothing to evaluate on yet.</source>
      <translation>Choisissez des relevés, une couche de points, ou les deux : il n'y a encore rien sur quoi évaluer.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="129" />
      <source>{path} is not a model folder (it has no readable config.json).</source>
      <translation>{path} n'est pas un dossier de modèle (il n'a pas de config.json lisible).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="133" />
      <source>Choose the folder to write the evaluation report in.</source>
      <translation>Choisissez le dossier où écrire le rapport d'évaluation.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="135" />
      <source>{path} is a file; choose a folder for the report.</source>
      <translation>{path} est un fichier ; choisissez un dossier pour le rapport.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="159" />
      <source>Evaluate embeddings</source>
      <translation>Évaluer les plongements</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="165" />
      <source>Cancelled: no report was written. The image features computed so far are kept in the cache, so running again continues from there.</source>
      <translation>Annulé : aucun rapport n'a été écrit. Les caractéristiques d'image déjà calculées sont conservées dans le cache : une nouvelle exécution reprend à partir de là.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="171" />
      <source>Evaluation report written.</source>
      <translation>Rapport d'évaluation écrit.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/evaluate_dialog.py" line="172" />
      <source>Report: {path}</source>
      <translation>Rapport : {path}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="48" />
      <source>BotaCLIP: habitat clusters</source>
      <translation>BotaCLIP : groupes d'habitats</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="65" />
      <source>The embedding raster to cluster (made by 'Embed orthophoto…'): pixels that look alike in it end up in one habitat.</source>
      <translation>Le raster de plongements à regrouper (créé par « Calculer les plongements… ») : les pixels qui s'y ressemblent finissent dans un même habitat.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="71" />
      <source>How many habitat types the map is cut into (default 8): more gives finer, smaller types. Unused when k is chosen automatically.</source>
      <translation>Le nombre de types d'habitats de la carte (par défaut 8) : davantage donne des types plus fins et plus petits. Inutilisé quand k est choisi automatiquement.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="74" />
      <source>Number of clusters</source>
      <translation>Nombre de groupes</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="75" />
      <source>Choose k automatically (Davies-Bouldin index)</source>
      <translation>Choisir k automatiquement (indice de Davies-Bouldin)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="76" />
      <source>Try every k of the range below and keep the one with the lowest Davies-Bouldin index (compact clusters far apart), as the BotaCLIP paper does; the curve is in the message.</source>
      <translation>Essaie chaque k de l'intervalle ci-dessous et garde celui dont l'indice de Davies-Bouldin est le plus bas (groupes compacts et éloignés), comme dans l'article BotaCLIP ; la courbe figure dans le message.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="80" />
      <source>The smallest number of clusters tried when k is chosen automatically (default 3).</source>
      <translation>Le plus petit nombre de groupes essayé quand k est choisi automatiquement (par défaut 3).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="82" />
      <source>The largest number of clusters tried when k is chosen automatically, included (default 15); each k tried adds a k-means fit.</source>
      <translation>Le plus grand nombre de groupes essayé quand k est choisi automatiquement, inclus (par défaut 15) ; chaque k essayé ajoute un ajustement k-means.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="89" />
      <source>to</source>
      <translation>à</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="92" />
      <source>Range of k</source>
      <translation>Intervalle de k</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="93" />
      <source>The same seed (default 0) gives the same sample of pixels and the same map; another seed shows how stable the clusters are.</source>
      <translation>La même graine (par défaut 0) donne le même échantillon de pixels et la même carte ; une autre graine montre la stabilité des groupes.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="96" />
      <source>Seed</source>
      <translation>Graine</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="99" />
      <source>empty: no summary</source>
      <translation>vide : pas de résumé</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="100" />
      <source>Optional: a folder for clusters.html and clusters.json, with the area of each cluster. Empty (the default): no summary.</source>
      <translation>Facultatif : un dossier pour clusters.html et clusters.json, avec la surface de chaque groupe. Vide (par défaut) : pas de résumé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="103" />
      <source>Summary folder</source>
      <translation>Dossier du résumé</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="108" />
      <source>Optional, with a summary: the orthophoto, for a thumbnail of a typical place of each cluster.</source>
      <translation>Facultatif, avec un résumé : l'orthophoto, pour une vignette d'un lieu typique de chaque groupe.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="111" />
      <source>empty: no typical taxa</source>
      <translation>vide : pas de taxons typiques</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="112" />
      <source>Optional, with a summary: the model folder the embedding raster was made with, for the taxa most typical of each cluster.</source>
      <translation>Facultatif, avec un résumé : le dossier du modèle avec lequel le raster de plongements a été créé, pour les taxons les plus typiques de chaque groupe.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="120" />
      <source>GeoTIFF (*.tif)</source>
      <translation>GeoTIFF (*.tif)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="121" />
      <source>The habitat map to write: a categorical cloud-optimised GeoTIFF, habitat 1 the largest, with a colour and a name per cluster.</source>
      <translation>La carte des habitats à écrire : un GeoTIFF catégoriel optimisé pour le cloud, l'habitat 1 étant le plus étendu, avec une couleur et un nom par groupe.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="124" />
      <source>Habitat map</source>
      <translation>Carte des habitats</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="125" />
      <source>Open summary</source>
      <translation>Ouvrir le résumé</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="126" />
      <source>Open clusters.html: the area, a thumbnail and the typical taxa of each cluster.</source>
      <translation>Ouvrir clusters.html : la surface, une vignette et les taxons typiques de chaque groupe.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="166" />
      <source>Add an embedding raster (made by 'Embed orthophoto…') to the project and choose it.</source>
      <translation>Ajoutez un raster de plongements (créé par « Calculer les plongements… ») au projet et choisissez-le.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="169" />
      <source>The embedding raster must be a raster file; save '{name}' as a GeoTIFF first.</source>
      <translation>Le raster de plongements doit être un fichier raster ; enregistrez d'abord « {name} » en GeoTIFF.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="173" />
      <source>'{name}' is a BotaCLIP {kind} map, not an embedding raster: choose the embeddings it was made from.</source>
      <translation>« {name} » est une carte BotaCLIP de type {kind}, et non un raster de plongements : choisissez les plongements dont elle est issue.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="176" />
      <source>The range of k is empty: the smallest k ({lo}) must be below the largest ({hi}).</source>
      <translation>L'intervalle de k est vide : le plus petit k ({lo}) doit être inférieur au plus grand ({hi}).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="184" />
      <source>The orthophoto and the model folder only serve the summary: choose a summary folder, or leave them empty.</source>
      <translation>L'orthophoto et le dossier du modèle ne servent qu'au résumé : choisissez un dossier de résumé, ou laissez-les vides.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="187" />
      <source>{path} is a file; choose a folder for the summary.</source>
      <translation>{path} est un fichier ; choisissez un dossier pour le résumé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="200" />
      <source>Choose where to write the habitat map.</source>
      <translation>Choisissez où écrire la carte des habitats.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="202" />
      <source>The habitat map must be a GeoTIFF (.tif) file.</source>
      <translation>La carte des habitats doit être un fichier GeoTIFF (.tif).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="205" />
      <source>The habitat map cannot replace one of its inputs; choose another name.</source>
      <translation>La carte des habitats ne peut pas remplacer l'une de ses entrées ; choisissez un autre nom.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="208" />
      <source>The summary folder and the habitat map need two different paths.</source>
      <translation>Le dossier du résumé et la carte des habitats doivent avoir deux chemins différents.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="234" />
      <source>Cancelled: the habitat map was not written; the previous one, if any, is unchanged.</source>
      <translation>Annulé : la carte des habitats n'a pas été écrite ; la précédente, s'il y en a une, est inchangée.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="245" />
      <source>{k} habitat clusters mapped; the largest covers {share:.0%} of the pixels.</source>
      <translation>{k} groupes d'habitats cartographiés ; le plus grand couvre {share:.0%} des pixels.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="248" />
      <source>Habitat map written to {path}.</source>
      <translation>Carte des habitats écrite dans {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/habitats_dialog.py" line="250" />
      <source>Summary written to {path}.</source>
      <translation>Résumé écrit dans {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="77" />
      <source>BotaCLIP: import relevés from a long table</source>
      <translation>BotaCLIP : importer des relevés depuis une table longue</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="83" />
      <source>The long table, a CSV file with one row per taxon in a plot: plot id, taxon name, cover (as exported from Turboveg or a spreadsheet; comma, semicolon or tab).</source>
      <translation>La table longue, un fichier CSV avec une ligne par taxon dans une placette : identifiant de placette, nom du taxon, recouvrement (tel qu'exporté de Turboveg ou d'un tableur ; virgule, point-virgule ou tabulation).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="86" />
      <source>Long table (CSV)</source>
      <translation>Table longue (CSV)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="90" />
      <source>The column of the long table that names the plot of each row; chosen from its name (plot_id, releve...) when it can be guessed.</source>
      <translation>La colonne de la table longue qui identifie la placette de chaque ligne ; choisie d'après son nom (plot_id, releve...) quand elle peut être devinée.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="93" />
      <source>The column of the long table that holds the taxon name. Names are tidied (spaces, capitals, 'subsp.'), not matched to a checklist.</source>
      <translation>La colonne de la table longue qui contient le nom du taxon. Les noms sont nettoyés (espaces, majuscules, « subsp. »), mais pas rapprochés d'un référentiel taxonomique.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="96" />
      <source>The column of the long table that holds the cover: Braun-Blanquet codes, percentages, fractions, presence marks or counts (see Cover scale).</source>
      <translation>La colonne de la table longue qui contient le recouvrement : indices de Braun-Blanquet, pourcentages, fractions, marques de présence ou effectifs (voir Échelle de recouvrement).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="100" />
      <source>Taxon column</source>
      <translation>Colonne du taxon</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="101" />
      <source>Cover column</source>
      <translation>Colonne du recouvrement</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="107" />
      <source>The plot table, a CSV file with one row per plot: its plot id and coordinates. A plot id found twice is refused.</source>
      <translation>La table des placettes, un fichier CSV avec une ligne par placette : son identifiant et ses coordonnées. Un identifiant de placette présent deux fois est refusé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="110" />
      <source>Plot table (CSV)</source>
      <translation>Table des placettes (CSV)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="114" />
      <source>The column of the plot table that names each plot, as in the long table (the names may differ).</source>
      <translation>La colonne de la table des placettes qui identifie chaque placette, comme dans la table longue (les noms de colonnes peuvent différer).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="116" />
      <source>The column of the plot table with the X coordinate: easting, or longitude in degrees (then EPSG:4326 below).</source>
      <translation>La colonne de la table des placettes avec la coordonnée X : abscisse, ou longitude en degrés (alors EPSG:4326 ci-dessous).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="118" />
      <source>The column of the plot table with the Y coordinate: northing, or latitude in degrees (then EPSG:4326 below).</source>
      <translation>La colonne de la table des placettes avec la coordonnée Y : ordonnée, ou latitude en degrés (alors EPSG:4326 ci-dessous).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="120" />
      <source>Plot id column (plot table)</source>
      <translation>Colonne d'identifiant (table des placettes)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="121" />
      <source>X column</source>
      <translation>Colonne X</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="122" />
      <source>Y column</source>
      <translation>Colonne Y</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="126" />
      <source>Choose the CRS of the X and Y columns</source>
      <translation>Choisir le SCR des colonnes X et Y</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="128" />
      <source>The coordinate reference system of X and Y, e.g. EPSG:4326 for longitude/latitude in degrees, EPSG:2154 for Lambert-93.</source>
      <translation>Le système de coordonnées de référence de X et Y, p. ex. EPSG:4326 pour la longitude/latitude en degrés, EPSG:2154 pour le Lambert-93.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="131" />
      <source>CRS of X/Y</source>
      <translation>SCR de X/Y</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="136" />
      <source>The relevé layer to write, a GeoPackage: one point per plot, one column per taxon. Proposed beside the long table.</source>
      <translation>La couche de relevés à écrire, un GeoPackage : un point par placette, une colonne par taxon. Proposée à côté de la table longue.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="139" />
      <source>Output layer</source>
      <translation>Couche de sortie</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="184" />
      <source>Choose the long table (a CSV file).</source>
      <translation>Choisissez la table longue (un fichier CSV).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="186" />
      <source>No column names found in {path}: is it a CSV file?</source>
      <translation>Aucun nom de colonne trouvé dans {path} : est-ce un fichier CSV ?</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="188" />
      <source>Choose the plot table (a CSV file with coordinates).</source>
      <translation>Choisissez la table des placettes (un fichier CSV avec coordonnées).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="191" />
      <source>plot id</source>
      <translation>identifiant de placette</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="191" />
      <source>taxon</source>
      <translation>taxon</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="192" />
      <source>cover</source>
      <translation>recouvrement</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="195" />
      <source>Choose the {what} column.</source>
      <translation>Choisissez la colonne « {what} ».</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="197" />
      <source>X and Y must be two different columns.</source>
      <translation>X et Y doivent être deux colonnes différentes.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="199" />
      <source>Choose the CRS of the X and Y columns.</source>
      <translation>Choisissez le SCR des colonnes X et Y.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="202" />
      <source>Choose where to write the relevé layer.</source>
      <translation>Choisissez où écrire la couche de relevés.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="204" />
      <source>The output must be a GeoPackage (.gpkg) file.</source>
      <translation>La sortie doit être un fichier GeoPackage (.gpkg).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="215" />
      <source>Import relevés</source>
      <translation>Importer des relevés</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/import_dialog.py" line="227" />
      <source>{plots} plots and {taxa} taxa written to {path} (covers read as {scale}).</source>
      <translation>{plots} placettes et {taxa} taxons écrits dans {path} (recouvrements lus comme {scale}).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="100" />
      <source>{k} spatial folds</source>
      <translation>{k} plis spatiaux</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="102" />
      <source>Predicted '{t}': TSS {tss}, AUC {auc} ({where}).</source>
      <translation>Prédiction de « {t} » : TSS {tss}, AUC {auc} ({where}).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="105" />
      <source>Predicted '{t}' from presences only: Boyce index {boyce} ({where}, {n} background points).</source>
      <translation>Prédiction de « {t} » à partir des seules présences : indice de Boyce {boyce} ({where}, {n} points de fond).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="109" />
      <source>Predicted '{t}': accuracy {acc}, kappa {kappa} ({where}).</source>
      <translation>Prédiction de « {t} » : exactitude {acc}, kappa {kappa} ({where}).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="112" />
      <source>Predicted '{t}': Spearman {rho}, MAE {mae} ({where}).</source>
      <translation>Prédiction de « {t} » : Spearman {rho}, MAE {mae} ({where}).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="115" />
      <source>Predicted {n} abundances: Spearman {rhos} ({where}).</source>
      <translation>{n} abondances prédites : Spearman {rhos} ({where}).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="123" />
      <source>AUC 0.5 and TSS 0 are chance; 1 is perfect.</source>
      <translation>AUC 0,5 et TSS 0 correspondent au hasard ; 1 est parfait.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="124" />
      <source>A Boyce index near 0 is chance; 1 means the map ranks presences as well as it can.</source>
      <translation>Un indice de Boyce proche de 0 correspond au hasard ; 1 signifie que la carte classe les présences au mieux.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="126" />
      <source>Spearman 0 is chance; MAE is in the field's own unit.</source>
      <translation>Spearman 0 correspond au hasard ; la MAE s'exprime dans l'unité du champ.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="127" />
      <source>Kappa 0 is chance; 1 is perfect.</source>
      <translation>Kappa 0 correspond au hasard ; 1 est parfait.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="130" />
      <source>Map written to {path}.</source>
      <translation>Carte écrite dans {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="132" />
      <source>Metrics written to {path}.</source>
      <translation>Métriques écrites dans {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="134" />
      <source>Predictor saved to {path}.</source>
      <translation>Prédicteur enregistré dans {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="152" />
      <source>BotaCLIP: predict a map</source>
      <translation>BotaCLIP : prédire une carte</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="169" />
      <source>The embedding raster made by 'Embed orthophoto…': one band per embedding dimension. Any other raster's bands are used as they are.</source>
      <translation>Le raster de plongements créé par « Calculer les plongements… » : une bande par dimension du plongement. Les bandes de tout autre raster sont utilisées telles quelles.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="186" />
      <source>The model fitted to the embeddings at the points. The random forest (500 trees, classes balanced) needs no tuning; the others are there to compare.</source>
      <translation>Le modèle ajusté aux plongements aux points. La forêt aléatoire (500 arbres, classes équilibrées) ne demande aucun réglage ; les autres servent à comparer.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="193" />
      <source>Spatial cross-validation: the points are grouped in blocks and each fold holds out whole blocks, so that the figures reported come from places the model did not see. 5 (the default) suits most data; fewer when there are few points.</source>
      <translation>Validation croisée spatiale : les points sont regroupés en blocs et chaque pli met de côté des blocs entiers, pour que les scores rapportés viennent de lieux que le modèle n'a pas vus. 5 (par défaut) convient à la plupart des données ; moins quand il y a peu de points.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="209" />
      <source>automatic (the patch side)</source>
      <translation>automatique (le côté de l'imagette)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="210" />
      <source>Training points closer than this to a test point are left out of that fold: two points closer than a patch side were seen through the same pixels. 0: no buffer.</source>
      <translation>Les points d'entraînement plus proches que cette distance d'un point de test sont écartés de ce pli : deux points plus proches qu'un côté d'imagette ont été vus à travers les mêmes pixels. 0 : pas de zone tampon.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="213" />
      <source>Buffer</source>
      <translation>Zone tampon</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="218" />
      <source>automatic (5 pixels, at least twice the buffer)</source>
      <translation>automatique (5 pixels, au moins deux fois la zone tampon)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="219" />
      <source>Side of the square blocks the folds are made of, in metres: larger than the distance over which nearby points resemble each other. Automatic (the default): 5 pixels, at least twice the buffer.</source>
      <translation>Côté des blocs carrés qui composent les plis, en mètres : plus grand que la distance sur laquelle des points voisins se ressemblent. Automatique (par défaut) : 5 pixels, au moins deux fois la zone tampon.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="223" />
      <source>Block size</source>
      <translation>Taille des blocs</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="226" />
      <source>automatic (10 per presence, at most 10 000)</source>
      <translation>automatique (10 par présence, au plus 10 000)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="227" />
      <source>Presence only: how many background points are drawn from the raster to stand for the places available. Automatic (the default): 10 per presence, at most 10 000.</source>
      <translation>Présence seule : nombre de points de fond tirés du raster pour représenter les lieux disponibles. Automatique (par défaut) : 10 par présence, au plus 10 000.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="231" />
      <source>Background points</source>
      <translation>Points de fond</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="234" />
      <source>The same seed (default 0) gives the same folds, background points and model.</source>
      <translation>La même graine (par défaut 0) donne les mêmes plis, les mêmes points de fond et le même modèle.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="242" />
      <source>The map to write: a cloud-optimised GeoTIFF with the prediction, its uncertainty (spread of the fold models) and the area of applicability.</source>
      <translation>La carte à écrire : un GeoTIFF optimisé pour le cloud avec la prédiction, son incertitude (dispersion des modèles des plis) et l'aire d'applicabilité.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="245" />
      <source>Prediction map</source>
      <translation>Carte de prédiction</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="246" />
      <source>empty: no metrics file</source>
      <translation>vide : pas de fichier de métriques</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="247" />
      <source>A folder for metrics.json: the cross-validated metrics of each target, fold by fold, with the point counts. Empty: no metrics file.</source>
      <translation>Un dossier pour metrics.json : les métriques en validation croisée de chaque cible, pli par pli, avec le nombre de points. Vide : pas de fichier de métriques.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="253" />
      <source>Optional: save the fitted model, to apply it to another embedding raster made with the same model later, without fitting again.</source>
      <translation>Facultatif : enregistrer le modèle ajusté, pour l'appliquer plus tard à un autre raster de plongements créé avec le même modèle, sans nouvel ajustement.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="255" />
      <source>empty: not saved</source>
      <translation>vide : non enregistré</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="256" />
      <source>Save predictor</source>
      <translation>Enregistrer le prédicteur</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="257" />
      <source>Open metrics</source>
      <translation>Ouvrir les métriques</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="278" />
      <source>'{name}' is not an embedding raster made by BotaCLIP: its {n} bands are used as they are.</source>
      <translation>« {name} » n'est pas un raster de plongements créé par BotaCLIP : ses {n} bandes sont utilisées telles quelles.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="326" />
      <source>'{name}' is a prediction map, not an embedding raster: choose the embeddings it was made from.</source>
      <translation>« {name} » est une carte de prédiction, et non un raster de plongements : choisissez les plongements dont elle est issue.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="329" />
      <source>Add a point layer with your observations to the project and choose it.</source>
      <translation>Ajoutez au projet une couche de points avec vos observations et choisissez-la.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="336" />
      <source>Choose where to write the prediction map.</source>
      <translation>Choisissez où écrire la carte de prédiction.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="338" />
      <source>The prediction map must be a GeoTIFF (.tif) file.</source>
      <translation>La carte de prédiction doit être un fichier GeoTIFF (.tif).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="341" />
      <source>The prediction map cannot replace one of its inputs; choose another name.</source>
      <translation>La carte de prédiction ne peut pas remplacer l'une de ses entrées ; choisissez un autre nom.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="345" />
      <source>{path} is a file; choose a folder for the metrics.</source>
      <translation>{path} est un fichier ; choisissez un dossier pour les métriques.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="348" />
      <source>The predictor and the prediction map need two different files.</source>
      <translation>Le prédicteur et la carte de prédiction doivent être deux fichiers différents.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="355" />
      <source>Embed orthophoto…</source>
      <translation>Calculer les plongements…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="379" />
      <source>Predict map</source>
      <translation>Prédire une carte</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/predict_dialog.py" line="386" />
      <source>Cancelled: the prediction map was not written; the previous one, if any, is unchanged.</source>
      <translation>Annulé : la carte de prédiction n'a pas été écrite ; la précédente, s'il y en a une, est inchangée.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="111" />
      <source>BotaCLIP: species suitability</source>
      <translation>BotaCLIP : aptitude des espèces</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="125" />
      <source>the folder 'Train model…' wrote</source>
      <translation>le dossier écrit par « Entraîner un modèle… »</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="126" />
      <source>The model bundle (a folder made by 'Train model…'): its relevé encoder places each taxon in the space of the embedding raster made with it.</source>
      <translation>Le modèle (un dossier créé par « Entraîner un modèle… ») : son encodeur de relevés place chaque taxon dans l'espace du raster de plongements créé avec lui.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="136" />
      <source>The embedding raster made with this model ('Embed orthophoto…' with the model folder); one made with another model or a raw backbone is refused.</source>
      <translation>Le raster de plongements créé avec ce modèle (« Calculer les plongements… » avec le dossier du modèle) ; un raster créé avec un autre modèle ou un backbone brut est refusé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="141" />
      <source>e.g. Carex curvula; Nardus stricta</source>
      <translation>p. ex. Carex curvula; Nardus stricta</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="142" />
      <source>The taxa to map, one band each, separated by ';'. Names are completed from the model's species list as you type.</source>
      <translation>Les taxons à cartographier, une bande chacun, séparés par « ; ». Les noms sont complétés à partir de la liste d'espèces du modèle pendant la saisie.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="144" />
      <source>Taxa</source>
      <translation>Taxons</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="148" />
      <source>All the model's taxa</source>
      <translation>Tous les taxons du modèle</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="149" />
      <source>One band for every taxon the model knows, instead of the taxa typed above.</source>
      <translation>Une bande pour chaque taxon connu du modèle, au lieu des taxons saisis ci-dessus.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="152" />
      <source>Expected community (richness and most likely taxon)</source>
      <translation>Communauté attendue (richesse et taxon le plus probable)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="153" />
      <source>Two more bands from soft retrieval over the relevés the model was trained on: the expected number of taxa and the most likely taxon at each pixel. Then 'Top taxa here' lists the most likely taxa at a place you click.</source>
      <translation>Deux bandes de plus, par recherche souple parmi les relevés d'entraînement du modèle : le nombre attendu de taxons et le taxon le plus probable à chaque pixel. « Taxons probables ici » liste ensuite les taxons les plus probables à l'endroit cliqué.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="161" />
      <source>The map to write: a cloud-optimised GeoTIFF, one band per taxon (the cosine of each pixel to the taxon, -1 to 1), then the expected community's bands.</source>
      <translation>La carte à écrire : un GeoTIFF optimisé pour le cloud, une bande par taxon (le cosinus entre chaque pixel et le taxon, de -1 à 1), puis les bandes de la communauté attendue.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="164" />
      <source>Suitability map</source>
      <translation>Carte d'aptitude</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="185" />
      <source>The model knows {n} taxa.</source>
      <translation>Le modèle connaît {n} taxons.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="221" />
      <source>{n} taxon band(s)</source>
      <translation>{n} bande(s) de taxon</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="238" />
      <source>Choose the model folder (made by 'Train model…').</source>
      <translation>Choisissez le dossier du modèle (créé par « Entraîner un modèle… »).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="240" />
      <source>{path} is not a model folder (it has no readable config.json with the model's taxa).</source>
      <translation>{path} n'est pas un dossier de modèle (il n'a pas de config.json lisible avec les taxons du modèle).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="244" />
      <source>Add the embedding raster made with this model to the project and choose it.</source>
      <translation>Ajoutez au projet le raster de plongements créé avec ce modèle et choisissez-le.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="276" />
      <source>Type the taxa to map, tick 'All the model's taxa', or tick 'Expected community': there is nothing to map yet.</source>
      <translation>Saisissez les taxons à cartographier, cochez « Tous les taxons du modèle » ou « Communauté attendue » : il n'y a encore rien à cartographier.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="283" />
      <source>Per-taxon suitability places each taxon alone, without a cover: remove '={cover}' after {name}.</source>
      <translation>L'aptitude par taxon place chaque taxon seul, sans recouvrement : retirez « ={cover} » après {name}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="295" />
      <source>Choose where to write the suitability map.</source>
      <translation>Choisissez où écrire la carte d'aptitude.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="297" />
      <source>The suitability map must be a GeoTIFF (.tif) file.</source>
      <translation>La carte d'aptitude doit être un fichier GeoTIFF (.tif).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="299" />
      <source>The suitability map cannot replace the embedding raster; choose another name.</source>
      <translation>La carte d'aptitude ne peut pas remplacer le raster de plongements ; choisissez un autre nom.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="323" />
      <source>Cancelled: the suitability map was not written; the previous one, if any, is unchanged.</source>
      <translation>Annulé : la carte d'aptitude n'a pas été écrite ; la précédente, s'il y en a une, est inchangée.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="335" />
      <source>Suitability map written with {n} band(s): {bands}.</source>
      <translation>Carte d'aptitude écrite avec {n} bande(s) : {bands}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="337" />
      <source>Written to {path}.</source>
      <translation>Écrit dans {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="338" />
      <source>A taxon band is the cosine of each pixel to the taxon (-1 to 1): it ranks places for that taxon; two taxa's values are not comparable.</source>
      <translation>Une bande de taxon est le cosinus entre chaque pixel et le taxon (de -1 à 1) : elle classe les lieux pour ce taxon ; les valeurs de deux taxons ne sont pas comparables.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="342" />
      <source>Expected community: temperature {t:.3f}; the expected richness lies between {lo:g} and {hi:g} taxa. Use 'Top taxa here' and click the map to list the most likely taxa at a place.</source>
      <translation>Communauté attendue : température {t:.3f} ; la richesse attendue est comprise entre {lo:g} et {hi:g} taxons. Utilisez « Taxons probables ici » et cliquez sur la carte pour lister les taxons les plus probables en un lieu.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/suitability_dialog.py" line="353" />
      <source>Top taxa here</source>
      <translation>Taxons probables ici</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="63" />
      <source>No field ticked: every point is a presence (presence only).</source>
      <translation>Aucun champ coché : chaque point est une présence (présence seule).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="66" />
      <source>Several fields: an abundance map band for each.</source>
      <translation>Plusieurs champs : une bande d'abondance pour chacun.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="73" />
      <source>'{name}' is true or false: presence / absence.</source>
      <translation>« {name} » est vrai ou faux : présence / absence.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="75" />
      <source>'{name}' holds text: one class per value.</source>
      <translation>« {name} » contient du texte : une classe par valeur.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="78" />
      <source>'{name}' holds only 0 and 1: presence / absence.</source>
      <translation>« {name} » ne contient que 0 et 1 : présence / absence.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="80" />
      <source>'{name}' holds other numbers than 0 and 1: abundance.</source>
      <translation>« {name} » contient d'autres nombres que 0 et 1 : abondance.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="104" />
      <source>Tick the field to map: 0/1 for presence/absence, numbers for abundance, text for classes; none ticked, every point is a presence. Several fields only for abundance (a band each).</source>
      <translation>Cochez le champ à cartographier : 0/1 pour présence/absence, nombres pour l'abondance, texte pour les classes ; si aucun n'est coché, chaque point est une présence. Plusieurs champs seulement pour l'abondance (une bande chacun).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="111" />
      <source>The field the map is fitted to: 0/1 for presence/absence, numbers for abundance, text for classes; none ticked, every point is a presence. Several fields only for abundance.</source>
      <translation>Le champ auquel la carte est ajustée : 0/1 pour présence/absence, nombres pour l'abondance, texte pour les classes ; si aucun n'est coché, chaque point est une présence. Plusieurs champs seulement pour l'abondance.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="194" />
      <source>Your observations: one point each, with the field to map.</source>
      <translation>Vos observations : un point chacune, avec le champ à cartographier.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="196" />
      <source>Points</source>
      <translation>Points</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="204" />
      <source>Target field</source>
      <translation>Champ cible</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="206" />
      <source>What the field holds, and so what the map shows: the probability of presence, an abundance, or the most likely class. Suggested from the field; choose another to override.</source>
      <translation>Ce que contient le champ, et donc ce que montre la carte : la probabilité de présence, une abondance ou la classe la plus probable. Proposée d'après le champ ; choisissez-en une autre pour la remplacer.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="210" />
      <source>Task</source>
      <translation>Tâche</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="256" />
      <source>{why} You chose another task.</source>
      <translation>{why} Vous avez choisi une autre tâche.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="267" />
      <source>The point layer '{name}' has no points.</source>
      <translation>La couche de points « {name} » ne contient aucun point.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="272" />
      <source>'{name}' has no number or text field to map; choose another point layer, or the task 'Presence only'.</source>
      <translation>« {name} » n'a aucun champ numérique ou texte à cartographier ; choisissez une autre couche de points, ou la tâche « Présence seule ».</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="274" />
      <source>Tick the field that holds 1 where the species is present and 0 where it is absent.</source>
      <translation>Cochez le champ qui vaut 1 là où l'espèce est présente et 0 là où elle est absente.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="276" />
      <source>Tick the field(s) holding the abundances.</source>
      <translation>Cochez le ou les champs contenant les abondances.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/targets.py" line="277" />
      <source>Tick the field holding the classes.</source>
      <translation>Cochez le champ contenant les classes.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="37" />
      <source>It finds the right relevé among its 10 nearest for {trained} of {n} held-out test plots (chance: {chance}; untrained backbone: {untrained}).</source>
      <translation>Il retrouve le bon relevé parmi ses 10 plus proches pour {trained} des {n} placettes de test mises de côté (hasard : {chance} ; backbone non entraîné : {untrained}).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="49" />
      <source>Recall@10 on the test plots (trained / untrained / chance):</source>
      <translation>Rappel@10 sur les placettes de test (entraîné / non entraîné / hasard) :</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="50" />
      <source>image → relevé</source>
      <translation>image → relevé</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="50" />
      <source>relevé → image</source>
      <translation>relevé → image</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="55" />
      <source>Recall@10 on the validation plots, which chose the epoch (selection score, trained / chance):</source>
      <translation>Rappel@10 sur les placettes de validation, qui ont servi à choisir l'époque (score de sélection, entraîné / hasard) :</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="60" />
      <source>{used} of {total} plots used ({train} to train, {val} to validate, {test} to test, in blocks of {block:g} m; {buffer} training plots closer than {buffer_m:g} m to a validation or test plot left out); {taxa} taxa; best epoch {best} of {epochs}.</source>
      <translation>{used} placettes utilisées sur {total} ({train} pour l'entraînement, {val} pour la validation, {test} pour le test, en blocs de {block:g} m ; {buffer} placettes d'entraînement à moins de {buffer_m:g} m d'une placette de validation ou de test écartées) ; {taxa} taxons ; meilleure époque {best} sur {epochs}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="77" />
      <source>BotaCLIP: train a model</source>
      <translation>BotaCLIP : entraîner un modèle</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="90" />
      <source>Passes over the training plots, at most (default 50): training stops early when the validation recall no longer improves, so a high value costs little.</source>
      <translation>Nombre maximal de passages sur les placettes d'entraînement (par défaut 50) : l'entraînement s'arrête tôt quand le rappel en validation ne s'améliore plus, donc une valeur élevée coûte peu.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="93" />
      <source>Epochs</source>
      <translation>Époques</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="99" />
      <source>The model folder to write (config.json, the trained weights and the training report).</source>
      <translation>Le dossier du modèle à écrire (config.json, les poids entraînés et le rapport d'entraînement).</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="103" />
      <source>Open training report</source>
      <translation>Ouvrir le rapport d'entraînement</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="124" />
      <source>Training needs at least {n} plots (at least 50 each to train on, to choose the epoch and to test the model); '{layer}' has {count}.</source>
      <translation>L'entraînement demande au moins {n} placettes (au moins 50 chacune pour entraîner, pour choisir l'époque et pour tester le modèle) ; « {layer} » en a {count}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="130" />
      <source>Choose the model folder to write.</source>
      <translation>Choisissez le dossier du modèle à écrire.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="132" />
      <source>{path} is a file; choose a folder for the model.</source>
      <translation>{path} est un fichier ; choisissez un dossier pour le modèle.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="152" />
      <source>The folder {path} already holds files. Replace the model in it?</source>
      <translation>Le dossier {path} contient déjà des fichiers. Remplacer le modèle qui s'y trouve ?</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="177" />
      <source>Train BotaCLIP model</source>
      <translation>Entraîner le modèle BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="183" />
      <source>Cancelled: no model was written. The image features computed so far are kept in the cache, so running again continues from there.</source>
      <translation>Annulé : aucun modèle n'a été écrit. Les caractéristiques d'image déjà calculées sont conservées dans le cache : une nouvelle exécution reprend à partir de là.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="189" />
      <source>Model trained. {recall}</source>
      <translation>Modèle entraîné. {recall}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="193" />
      <source>Trained on random backbone weights: for testing only.</source>
      <translation>Entraîné sur des poids aléatoires du backbone : pour des tests uniquement.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/train_dialog.py" line="195" />
      <source>Model written to {folder}.</source>
      <translation>Modèle écrit dans {folder}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="56" />
      <source>torchgeo's conversion</source>
      <translation>conversion de torchgeo</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="56" />
      <source>the DOFA authors</source>
      <translation>les auteurs de DOFA</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="57" />
      <source>your own file</source>
      <translation>votre propre fichier</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="63" />
      <source>missing ({size} downloaded: Get weights… resumes)</source>
      <translation>absent ({size} téléchargés : « Obtenir les poids… » reprend)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="67" />
      <source>present, checking sha256…</source>
      <translation>présent, vérification du sha256…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="68" />
      <source>present, sha256 verified</source>
      <translation>présent, sha256 vérifié</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="69" />
      <source>present, but its sha256 is not the published one: damaged or another file; delete it and get it again</source>
      <translation>présent, mais son sha256 n'est pas celui publié : fichier endommagé ou différent ; supprimez-le et obtenez-le de nouveau</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="71" />
      <source>present (not a published file: BotaCLIP cannot check it)</source>
      <translation>présent (fichier non publié : BotaCLIP ne peut pas le vérifier)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="72" />
      <source>old file from before DOFA's August 2024 fix: do not use, delete it</source>
      <translation>ancien fichier antérieur au correctif DOFA d'août 2024 : ne l'utilisez pas, supprimez-le</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="73" />
      <source>a published checkpoint under another name: use Import file… to copy it under its published name</source>
      <translation>un fichier de poids publié sous un autre nom : utilisez « Importer un fichier… » pour le copier sous son nom publié</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="100" />
      <source>BotaCLIP model weights</source>
      <translation>Poids des modèles BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="108" />
      <source>Weights folder: {folder}</source>
      <translation>Dossier des poids : {folder}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="109" />
      <source>Where BotaCLIP looks for DOFA checkpoints; change it in BotaCLIP &gt; Settings.</source>
      <translation>Où BotaCLIP cherche les fichiers de poids DOFA ; modifiez-le dans BotaCLIP &gt; Paramètres.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="115" />
      <source>From</source>
      <translation>Provenance</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="115" />
      <source>Status</source>
      <translation>État</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="116" />
      <source>Size</source>
      <translation>Taille</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="116" />
      <source>SHA-256</source>
      <translation>SHA-256</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="116" />
      <source>Path</source>
      <translation>Chemin</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="117" />
      <source>The published DOFA checkpoints, present in the weights folder or not, and any other weights file found there. The sha256 is computed once and remembered.</source>
      <translation>Les fichiers de poids DOFA publiés, présents ou non dans le dossier des poids, et tout autre fichier de poids qui s'y trouve. Le sha256 est calculé une fois puis mémorisé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="129" />
      <source>Progress of the download, check or copy under way.</source>
      <translation>Progression du téléchargement, de la vérification ou de la copie en cours.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="136" />
      <source>What the last operation did.</source>
      <translation>Résultat de la dernière opération.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="143" />
      <source>Download a published DOFA checkpoint from Hugging Face into the weights folder, through QGIS's network settings (proxy). An interrupted download resumes where it stopped; the file is checked against its published sha256.</source>
      <translation>Télécharger un fichier de poids DOFA publié depuis Hugging Face dans le dossier des poids, avec les paramètres réseau de QGIS (proxy). Un téléchargement interrompu reprend là où il s'est arrêté ; le fichier est vérifié par rapport à son sha256 publié.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="149" />
      <source>Import file…</source>
      <translation>Importer un fichier…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="150" />
      <source>Copy a weights file you already have into the weights folder (the original is left where it is). A published checkpoint is recognised by its sha256 and given its published name; any other file only after you agree.</source>
      <translation>Copier dans le dossier des poids un fichier de poids que vous avez déjà (l'original reste où il est). Un fichier de poids publié est reconnu par son sha256 et reçoit son nom publié ; tout autre fichier, seulement après votre accord.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="155" />
      <source>Refresh</source>
      <translation>Actualiser</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="156" />
      <source>Look at the weights folder again.</source>
      <translation>Relire le dossier des poids.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="158" />
      <source>Stop</source>
      <translation>Arrêter</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="159" />
      <source>Stop the download, check or copy under way. A stopped download keeps its bytes for a later resume.</source>
      <translation>Arrêter le téléchargement, la vérification ou la copie en cours. Un téléchargement arrêté conserve les octets reçus pour une reprise ultérieure.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="198" />
      <source>({size} to download)</source>
      <translation>({size} à télécharger)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="200" />
      <source>published: {sha}</source>
      <translation>publié : {sha}</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="213" />
      <source>size unknown</source>
      <translation>taille inconnue</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="214" />
      <source>{backbone}, {source} ({size})</source>
      <translation>{backbone}, {source} ({size})</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="219" />
      <source>Every published checkpoint is here</source>
      <translation>Tous les fichiers de poids publiés sont présents</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="238" />
      <source>Checking the weights files</source>
      <translation>Vérification des fichiers de poids</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="258" />
      <source>Stopped; nothing was added to the weights folder.</source>
      <translation>Arrêté ; rien n'a été ajouté au dossier des poids.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="283" />
      <source>Downloading {name} from {url}…</source>
      <translation>Téléchargement de {name} depuis {url}…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="304" />
      <source>Weights file to import</source>
      <translation>Fichier de poids à importer</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="305" />
      <source>Weights files (*.pth *.pt *.safetensors *.ckpt *.bin);;All files (*)</source>
      <translation>Fichiers de poids (*.pth *.pt *.safetensors *.ckpt *.bin);;Tous les fichiers (*)</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="313" />
      <source>Checking {path}…</source>
      <translation>Vérification de {path}…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="314" />
      <source>Checking a weights file</source>
      <translation>Vérification d'un fichier de poids</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="332" />
      <source>{name} is already in the weights folder as {target}.</source>
      <translation>{name} est déjà dans le dossier des poids sous le nom {target}.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="335" />
      <source>{name} is an old DOFA file (before the August 2024 fix of its patch embedding), which gives wrong embeddings: not imported. Get the current file with Get weights….</source>
      <translation>{name} est un ancien fichier DOFA (antérieur à la correction d'août 2024 de son plongement d'imagettes), qui donne des plongements erronés : non importé. Obtenez le fichier actuel avec Obtenir les poids….</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="339" />
      <source>{name} has the name of a published checkpoint but not its content (sha256 {sha}): it is damaged or another file, and was not imported. Get the published file with Get weights….</source>
      <translation>{name} porte le nom d'un checkpoint publié mais n'en a pas le contenu (sha256 {sha}) : il est endommagé ou c'est un autre fichier, et il n'a pas été importé. Obtenez le fichier publié avec Obtenir les poids….</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="343" />
      <source>Another file named {target} is already in the weights folder: nothing was imported. Move it away first.</source>
      <translation>Un autre fichier nommé {target} se trouve déjà dans le dossier des poids : rien n'a été importé. Déplacez-le d'abord ailleurs.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="348" />
      <source>Not a published checkpoint</source>
      <translation>Checkpoint non publié</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="348" />
      <source>{name} is not one of the published DOFA checkpoints (its sha256 is {sha}), so BotaCLIP cannot check it. Use it only if you know it is a DOFA checkpoint made after August 2024. Copy it into the weights folder as your own file? It is then used when you choose it in the Weights field of Train or Embed.</source>
      <translation>{name} ne fait pas partie des checkpoints DOFA publiés (son sha256 est {sha}) : BotaCLIP ne peut donc pas le vérifier. Ne l'utilisez que si vous savez qu'il s'agit d'un checkpoint DOFA produit après août 2024. Le copier dans le dossier des poids comme fichier personnel ? Il sera alors utilisé quand vous le choisirez dans le champ Poids de l'entraînement ou du calcul des plongements.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="365" />
      <source>{name} was not imported.</source>
      <translation>{name} n'a pas été importé.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="374" />
      <source>Imported {name} ({what}) into the weights folder; the original is left where it was.</source>
      <translation>{name} ({what}) importé dans le dossier des poids ; l'original est resté à sa place.</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="379" />
      <source>Copying {name}…</source>
      <translation>Copie de {name}…</translation>
    </message>
    <message>
      <location filename="../plugin/dialogs/weights_dialog.py" line="380" />
      <source>Importing a weights file</source>
      <translation>Importation d'un fichier de poids</translation>
    </message>
    <message>
      <location filename="../plugin/help.py" line="481" />
      <source>The help file {path} is missing from the plugin folder.</source>
      <translation>Le fichier d'aide {path} est absent du dossier de l'extension.</translation>
    </message>
    <message>
      <location filename="../plugin/help.py" line="498" />
      <source>BotaCLIP help</source>
      <translation>Aide de BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/install/network.py" line="24" />
      <source>pip needs the PySocks package to use a SOCKS proxy; if the download fails, ask for an HTTP proxy or install offline from a wheelhouse.</source>
      <translation>pip a besoin du paquet PySocks pour passer par un proxy SOCKS ; si le téléchargement échoue, demandez un proxy HTTP ou installez hors ligne depuis un wheelhouse.</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="38" />
      <source>CPU only (about 200 MB)</source>
      <translation>CPU seulement (environ 200 MB)</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="39" />
      <source>CPU (about 200 MB)</source>
      <translation>CPU (environ 200 MB)</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="40" />
      <source>Apple GPU (MPS)</source>
      <translation>GPU Apple (MPS)</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="41" />
      <source>NVIDIA GPU, CUDA {version} (about 3 GB)</source>
      <translation>GPU NVIDIA, CUDA {version} (environ 3 GB)</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="71" />
      <source>Apple silicon: the standard build uses the Mac's GPU (MPS).</source>
      <translation>Apple silicon : la version standard utilise le GPU du Mac (MPS).</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="72" />
      <source>Intel Mac: torch runs on the CPU.</source>
      <translation>Mac Intel : torch s'exécute sur le CPU.</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="73" />
      <source>No NVIDIA GPU found: the CPU build is the one that runs.</source>
      <translation>Aucun GPU NVIDIA trouvé : c'est la version CPU qui fonctionne.</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="74" />
      <source>{gpu}: no CUDA build of torch for this machine; CPU build.</source>
      <translation>{gpu} : aucune version CUDA de torch pour cette machine ; version CPU.</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="76" />
      <source>{gpu}: its driver ({driver}) is too old for CUDA 11.8; update the NVIDIA driver to use the GPU.</source>
      <translation>{gpu} : son pilote ({driver}) est trop ancien pour CUDA 11.8 ; mettez à jour le pilote NVIDIA pour utiliser le GPU.</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="78" />
      <source>{gpu} (compute capability {capability}) is older than any current CUDA build of torch supports: CPU build.</source>
      <translation>{gpu} (capacité de calcul {capability}) est plus ancien que ce que prend en charge toute version CUDA actuelle de torch : version CPU.</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="80" />
      <source>{gpu}: its driver runs CUDA {cuda}, older than any CUDA build of torch; update the NVIDIA driver to use the GPU.</source>
      <translation>{gpu} : son pilote gère CUDA {cuda}, plus ancien que toute version CUDA de torch ; mettez à jour le pilote NVIDIA pour utiliser le GPU.</translation>
    </message>
    <message>
      <location filename="../plugin/install/torch_choice.py" line="82" />
      <source>{gpu}, driver {driver} (runs CUDA up to {cuda}): the CUDA {build} build.</source>
      <translation>{gpu}, pilote {driver} (gère CUDA jusqu'à {cuda}) : la version CUDA {build}.</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="9" />
      <source>Automatic (detected from the values)</source>
      <translation>Automatique (d'après les valeurs)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="10" />
      <source>Presence / absence (1/0, x, yes/no)</source>
      <translation>Présence / absence (1/0, x, yes/no)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="11" />
      <source>Percent cover (0-100)</source>
      <translation>Recouvrement en % (0-100)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="12" />
      <source>Fraction of cover (0-1)</source>
      <translation>Fraction de recouvrement (0-1)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="13" />
      <source>Braun-Blanquet codes (r, +, 1, 2m, 2a, 2b, 3, 4, 5)</source>
      <translation>Indices de Braun-Blanquet (r, +, 1, 2m, 2a, 2b, 3, 4, 5)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="14" />
      <source>Counts (individuals)</source>
      <translation>Effectifs (individus)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="33" />
      <source>Automatic (from the band names or colours)</source>
      <translation>Automatique (d'après les noms ou couleurs des bandes)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="41" />
      <source>DOFA base (768 dimensions, recommended)</source>
      <translation>DOFA base (768 dimensions, recommandé)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="42" />
      <source>DOFA small (384 dimensions, fastest)</source>
      <translation>DOFA small (384 dimensions, le plus rapide)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="43" />
      <source>DOFA large (1024 dimensions)</source>
      <translation>DOFA large (1 024 dimensions)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="44" />
      <source>Spectral baseline (band statistics, no weights needed)</source>
      <translation>Référence spectrale (statistiques des bandes, sans poids)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="45" />
      <source>timm model (RGB only; give its name)</source>
      <translation>Modèle timm (RVB seulement ; indiquer son nom)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="61" />
      <source>Automatic (the GPU if there is one)</source>
      <translation>Automatique (le GPU s'il y en a un)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="62" />
      <source>CPU</source>
      <translation>CPU</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="63" />
      <source>GPU (CUDA)</source>
      <translation>GPU (CUDA)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="68" />
      <source>Automatic (bfloat16 where it agrees with float32)</source>
      <translation>Automatique (bfloat16 là où il concorde avec float32)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="69" />
      <source>float32 (exact, slower)</source>
      <translation>float32 (exact, plus lent)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="70" />
      <source>bfloat16 (faster; checked against float32)</source>
      <translation>bfloat16 (plus rapide ; vérifié par rapport à float32)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="73" />
      <source>int8 (CPU only; fastest on some CPUs but changes some results; checked against float32)</source>
      <translation>int8 (CPU seulement ; le plus rapide sur certains CPU mais modifie certains résultats ; vérifié par rapport à float32)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="79" />
      <source>float16 (half the disk space)</source>
      <translation>float16 (moitié moins d'espace disque)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="80" />
      <source>float32</source>
      <translation>float32</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="90" />
      <source>Presence / absence</source>
      <translation>Présence / absence</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="91" />
      <source>Square root of cover</source>
      <translation>Racine carrée du recouvrement</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="92" />
      <source>Logarithm of cover (log 1 + x)</source>
      <translation>Logarithme du recouvrement (log 1 + x)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="93" />
      <source>Hellinger (square root of relative cover)</source>
      <translation>Hellinger (racine carrée du recouvrement relatif)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="94" />
      <source>Covers as they are</source>
      <translation>Recouvrements tels quels</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="108" />
      <source>Presence / absence (0/1 field): probability of presence</source>
      <translation>Présence / absence (champ 0/1) : probabilité de présence</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="109" />
      <source>Presence only (every point a presence): relative suitability against background points</source>
      <translation>Présence seule (chaque point est une présence) : aptitude relative par rapport aux points de fond</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="111" />
      <source>Abundance or cover (numbers): predicted value</source>
      <translation>Abondance ou recouvrement (nombres) : valeur prédite</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="112" />
      <source>Classes (text or codes): most probable class</source>
      <translation>Classes (texte ou codes) : classe la plus probable</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="117" />
      <source>Random forest (recommended)</source>
      <translation>Forêt aléatoire (recommandé)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="118" />
      <source>Logistic / ridge regression (linear)</source>
      <translation>Régression logistique / ridge (linéaire)</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="119" />
      <source>Histogram gradient boosting</source>
      <translation>Gradient boosting sur histogrammes</translation>
    </message>
    <message>
      <location filename="../plugin/labels.py" line="120" />
      <source>Multilayer perceptron (small neural network)</source>
      <translation>Perceptron multicouche (petit réseau de neurones)</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="39" />
      <source>usable</source>
      <translation>utilisable</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="40" />
      <source>outside the orthophoto</source>
      <translation>hors de l'orthophoto</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="41" />
      <source>too few valid pixels</source>
      <translation>trop peu de pixels valides</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="42" />
      <source>no taxon recorded</source>
      <translation>aucun taxon noté</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="43" />
      <source>plot id used twice</source>
      <translation>identifiant en double</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="44" />
      <source>no coordinates</source>
      <translation>pas de coordonnées</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="89" />
      <source>QGIS cannot open the {what} {path}.</source>
      <translation>QGIS ne peut pas ouvrir {what} {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="163" />
      <source>raster</source>
      <translation>le raster</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="170" />
      <source>vector layer</source>
      <translation>la couche vecteur</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="228" />
      <source>Choose an orthophoto layer.</source>
      <translation>Choisissez une couche d'orthophoto.</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="230" />
      <source>The layer '{name}' is not a raster file (it comes from the '{provider}' provider). Save it as a GeoTIFF first (right-click &gt; Export &gt; Save As…) and use that file.</source>
      <translation>La couche « {name} » n'est pas un fichier raster (elle provient du fournisseur « {provider} »). Enregistrez-la d'abord en GeoTIFF (clic droit &gt; Exporter &gt; Enregistrer sous…) et utilisez ce fichier.</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="278" />
      <source>Choose a relevé layer.</source>
      <translation>Choisissez une couche de relevés.</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="297" />
      <source>Cannot copy the layer '{name}' to {path} for BotaCLIP: {message}</source>
      <translation>Impossible de copier la couche « {name} » vers {path} pour BotaCLIP : {message}</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="312" />
      <source>outside the area of applicability</source>
      <translation>hors de l'aire d'applicabilité</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="313" />
      <source>inside the area of applicability</source>
      <translation>dans l'aire d'applicabilité</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="376" />
      <source>QGIS cannot open the prediction map {path}.</source>
      <translation>QGIS ne peut pas ouvrir la carte de prédiction {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="386" />
      <source>{path} is not a prediction map: none of its bands is a probability, abundance or class band (its bands: {bands}). Give a map written by BotaCLIP's Predict map or Apply predictor.</source>
      <translation>{path} n'est pas une carte de prédiction : aucune de ses bandes n'est une bande de probabilité, d'abondance ou de classe (ses bandes : {bands}). Indiquez une carte écrite par « Prédire une carte » ou « Appliquer le prédicteur » de BotaCLIP.</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="467" />
      <source>{target}: probability</source>
      <translation>{target} : probabilité</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="468" />
      <source>{target}: abundance</source>
      <translation>{target} : abondance</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="469" />
      <source>{target}: class</source>
      <translation>{target} : classe</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="473" />
      <source>Area of applicability</source>
      <translation>Aire d'applicabilité</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="479" />
      <source>{target}: uncertainty</source>
      <translation>{target} : incertitude</translation>
    </message>
    <message>
      <location filename="../plugin/layers.py" line="485" />
      <source>QGIS cannot open the raster {path}.</source>
      <translation>QGIS ne peut pas ouvrir le raster {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="122" />
      <source>similarity</source>
      <translation>similarité</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="194" />
      <source>Similar places</source>
      <translation>Lieux similaires</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="199" />
      <source>Click on the map over an embedding raster (or drag a rectangle) to see where else looks like that place.</source>
      <translation>Cliquez sur la carte au-dessus d'un raster de plongements (ou tracez un rectangle) pour voir quels autres lieux ressemblent à cet endroit.</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="204" />
      <source>Show only the pixels at least this similar to the place you clicked (cosine similarity, -1 to 1)</source>
      <translation>N'afficher que les pixels dont la similarité avec l'endroit cliqué atteint au moins cette valeur (similarité cosinus, de -1 à 1)</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="209" />
      <source>Area of the pixels of the current view at or above the threshold</source>
      <translation>Surface des pixels de la vue actuelle atteignant ou dépassant le seuil</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="211" />
      <source>Save full resolution…</source>
      <translation>Enregistrer en pleine résolution…</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="212" />
      <source>Compute the similarity over the whole embedding raster, at its full resolution, into a GeoTIFF (runs in the background)</source>
      <translation>Calculer la similarité sur tout le raster de plongements, en pleine résolution, dans un GeoTIFF (s'exécute en arrière-plan)</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="236" />
      <source>Threshold: {value:.2f}</source>
      <translation>Seuil : {value:.2f}</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="241" />
      <source>{km2:.3g} km² at or above the threshold in this view ({share:.0%} of its valid pixels).</source>
      <translation>{km2:.3g} km² atteignant ou dépassant le seuil dans cette vue ({share:.0%} de ses pixels valides).</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="248" />
      <source>Save the similarity map</source>
      <translation>Enregistrer la carte de similarité</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="248" />
      <source>GeoTIFF (*.tif *.tiff)</source>
      <translation>GeoTIFF (*.tif *.tiff)</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="313" />
      <source>the point {x:.1f}, {y:.1f}</source>
      <translation>le point {x:.1f}, {y:.1f}</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="323" />
      <source>the rectangle drawn</source>
      <translation>le rectangle tracé</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="347" />
      <source>Find similar places needs an embedding raster in the project (made by Embed orthophoto): add one, or make it the active layer.</source>
      <translation>« Trouver des lieux similaires » nécessite un raster de plongements dans le projet (créé par « Calculer les plongements ») : ajoutez-en un, ou faites-en la couche active.</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="381" />
      <source>The map shows no part of the embedding raster {name}: pan or zoom to it.</source>
      <translation>La carte n'affiche aucune partie du raster de plongements {name} : déplacez-vous ou zoomez dessus.</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="404" />
      <source>Similarity of every pixel of the view to {what} on {layer}.</source>
      <translation>Similarité de chaque pixel de la vue avec {what} sur {layer}.</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="468" />
      <source>Similarity map</source>
      <translation>Carte de similarité</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="479" />
      <source>Similarity map written to {path}.</source>
      <translation>Carte de similarité écrite dans {path}.</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/similar_places.py" line="481" />
      <source>{km2:.3g} km² at or above {threshold:.2f}.</source>
      <translation>{km2:.3g} km² à {threshold:.2f} ou plus.</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="71" />
      <source>model folder</source>
      <translation>dossier du modèle</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="71" />
      <source>embedding raster</source>
      <translation>raster de plongements</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="73" />
      <source>The suitability map '{name}' was made from the {what} {path}, which is not there any more; make the map again with 'Species suitability…'.</source>
      <translation>La carte d'aptitude « {name} » a été créée à partir du {what} {path}, qui n'existe plus ; refaites la carte avec « Aptitude des espèces… ».</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="94" />
      <source>{name} {p:.0%}</source>
      <translation>{name} {p:.0%}</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="127" />
      <source>Top taxa here needs a suitability map in the project (made by 'Species suitability…'): add one, or make it the active layer.</source>
      <translation>« Taxons probables ici » nécessite une carte d'aptitude dans le projet (créée par « Aptitude des espèces… ») : ajoutez-en une, ou faites-en la couche active.</translation>
    </message>
    <message>
      <location filename="../plugin/maptools/top_taxa.py" line="166" />
      <source>Most likely taxa at {x:.1f}, {y:.1f}:</source>
      <translation>Taxons les plus probables en {x:.1f}, {y:.1f} :</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="48" />
      <source>&amp;BotaCLIP</source>
      <translation>&amp;BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="79" />
      <source>BotaCLIP tools</source>
      <translation>Outils BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="81" />
      <source>Create demo data…</source>
      <translation>Créer des données de démonstration…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="82" />
      <source>Write a small synthetic landscape (orthophoto, relevés, butterflies, soil) to try BotaCLIP</source>
      <translation>Écrire un petit paysage synthétique (orthophoto, relevés, papillons, sol) pour essayer BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="84" />
      <source>Check orthophoto and relevés…</source>
      <translation>Vérifier orthophoto et relevés…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="85" />
      <source>Check that an orthophoto and a relevé layer can be used together: which plots are usable and why not</source>
      <translation>Vérifier qu'une orthophoto et une couche de relevés peuvent être utilisées ensemble : quelles placettes sont utilisables et pourquoi les autres ne le sont pas</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="87" />
      <source>Import relevés from a long table…</source>
      <translation>Importer des relevés depuis une table longue…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="88" />
      <source>Turn a long table (plot, taxon, cover) and a plot table with coordinates into a relevé point layer</source>
      <translation>Transformer une table longue (placette, taxon, recouvrement) et une table des placettes avec coordonnées en couche de points de relevés</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="90" />
      <source>Train model…</source>
      <translation>Entraîner un modèle…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="91" />
      <source>Train a BotaCLIP model on an orthophoto and relevés, with a report of its recall on held-out test plots</source>
      <translation>Entraîner un modèle BotaCLIP sur une orthophoto et des relevés, avec un rapport de son rappel sur des placettes de test mises de côté</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="94" />
      <source>Turn an orthophoto into an embedding raster with a trained model or a raw backbone, and an RGB preview of it</source>
      <translation>Transformer une orthophoto en raster de plongements avec un modèle entraîné ou un backbone brut, avec un aperçu RVB</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="96" />
      <source>Predict map…</source>
      <translation>Prédire une carte…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="97" />
      <source>Map a species, an abundance or classes from an embedding raster and your observation points, with spatially cross-validated figures</source>
      <translation>Cartographier une espèce, une abondance ou des classes à partir d'un raster de plongements et de vos points d'observation, avec des scores en validation croisée spatiale</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="100" />
      <source>Evaluate…</source>
      <translation>Évaluer…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="101" />
      <source>Compare the embeddings with simple baselines on your relevés and points, in spatial cross-validation, with an HTML report</source>
      <translation>Comparer les plongements à des références simples sur vos relevés et vos points, en validation croisée spatiale, avec un rapport HTML</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="104" />
      <source>Find similar places</source>
      <translation>Trouver des lieux similaires</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="105" />
      <source>Click on the map (or drag a rectangle) over an embedding raster to see where else looks like that place, with a threshold and its area</source>
      <translation>Cliquer sur la carte (ou tracer un rectangle) sur un raster de plongements pour voir quels autres lieux lui ressemblent, avec un seuil et la surface correspondante</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="108" />
      <source>Species suitability…</source>
      <translation>Aptitude des espèces…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="109" />
      <source>Map where taxa would find their habitat, and the expected community, from a model and the embedding raster made with it</source>
      <translation>Cartographier où les taxons trouveraient leur habitat, et la communauté attendue, à partir d'un modèle et du raster de plongements créé avec lui</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="113" />
      <source>Click on the map over a suitability map to list the taxa most likely present there, with their probabilities</source>
      <translation>Cliquer sur une carte d'aptitude pour lister les taxons les plus probablement présents à cet endroit, avec leurs probabilités</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="115" />
      <source>Habitat clusters…</source>
      <translation>Groupes d'habitats…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="116" />
      <source>Group the pixels of an embedding raster into habitat types, with a legend and an optional summary of each</source>
      <translation>Regrouper les pixels d'un raster de plongements en types d'habitats, avec une légende et un résumé facultatif de chacun</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="118" />
      <source>Settings…</source>
      <translation>Paramètres…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="119" />
      <source>Model weights, device, cache and extra Python packages folders</source>
      <translation>Dossier des poids, processeur, cache et dossier de paquets Python supplémentaires</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="121" />
      <source>Help</source>
      <translation>Aide</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="121" />
      <source>Open the BotaCLIP documentation</source>
      <translation>Ouvrir la documentation de BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="123" />
      <source>Copy diagnostics</source>
      <translation>Copier le diagnostic</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="124" />
      <source>Copy a report of QGIS, Python, torch, GDAL, the model weights and the last BotaCLIP errors to the clipboard, to paste into an issue</source>
      <translation>Copier dans le presse-papiers un rapport sur QGIS, Python, torch, GDAL, les poids du modèle et les dernières erreurs de BotaCLIP, à coller dans un ticket</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="199" />
      <source>{module} is kept out of QGIS's process: this native module crashes QGIS when OpenGL's libLLVM is loaded, and torch works without it.</source>
      <translation>{module} est tenu hors du processus de QGIS : ce module natif fait planter QGIS quand la libLLVM d'OpenGL est chargée, et torch fonctionne sans lui.</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="203" />
      <source>{module} was loaded by another plugin before BotaCLIP; it can crash QGIS during Train or Embed on Linux desktops. Disable the other plugin, or start QGIS with QT_XCB_GL_INTEGRATION=none.</source>
      <translation>{module} a été chargé par une autre extension avant BotaCLIP ; il peut faire planter QGIS pendant l'entraînement ou le calcul des plongements sur les bureaux Linux. Désactivez l'autre extension, ou lancez QGIS avec QT_XCB_GL_INTEGRATION=none.</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="221" />
      <source>Disabled: needs the Python package(s) {names}, which QGIS's Python cannot find. Click Details in the BotaCLIP message, or see BotaCLIP &gt; Settings… &gt; Extra Python packages folder.</source>
      <translation>Désactivé : nécessite le ou les paquets Python {names}, que le Python de QGIS ne trouve pas. Cliquez sur Détails dans le message de BotaCLIP, ou consultez BotaCLIP &gt; Paramètres… &gt; Dossier de paquets Python supplémentaires.</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="231" />
      <source>Python packages missing: {names}.</source>
      <translation>Paquets Python manquants : {names}.</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="232" />
      <source>Python packages missing or too old: {names}.</source>
      <translation>Paquets Python manquants ou trop anciens : {names}.</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="243" />
      <source>Install…</source>
      <translation>Installer…</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="381" />
      <source>All the Python packages BotaCLIP needs are found.</source>
      <translation>Tous les paquets Python nécessaires à BotaCLIP sont présents.</translation>
    </message>
    <message>
      <location filename="../plugin/plugin.py" line="397" />
      <source>BotaCLIP {version} loaded (QGIS {qgis}, Python {python}).</source>
      <translation>BotaCLIP {version} chargé (QGIS {qgis}, Python {python}).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="28" />
      <source>Apply predictor</source>
      <translation>Appliquer le prédicteur</translation>
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="31" />
      <source>Maps an embedding raster with a predictor saved by 'Predict map' (its 'Saved predictor' output): another area, another year, or the same raster again. Nothing is fitted: the saved model, its cross-validation models and its area of applicability are used as they are, so that on the raster it was fitted on it gives the very map 'Predict map' wrote.

Inputs
Saved predictor: the .zip file written by 'Predict map'. It holds numbers and scikit-learn settings only and cannot run code when read. A file that is not a BotaCLIP predictor is refused; one saved by another scikit-learn version is used with a warning.
Embedding raster: made by 'Embed orthophoto' with the same model as the one the predictor was fitted on. Another model (or another backbone or band count) is refused with both named, since its bands mean something else; a raster without BotaCLIP's provenance tags is mapped with a warning.
Prediction map: where the map is written (a GeoTIFF).

Outputs
Prediction map: a cloud-optimised GeoTIFF with the same bands as the predicted map (prediction, uncertainty, area of applicability), loaded styled.
Pixels mapped and Pixels inside the area of applicability: how much of the raster the predictor could map, and how much of it without extrapolating.</source>
      <translation>Cartographie un raster de plongements avec un prédicteur enregistré par « Prédire une carte » (sa sortie « Prédicteur enregistré ») : une autre zone, une autre année, ou de nouveau le même raster. Rien n'est ajusté : le modèle enregistré, ses modèles de validation croisée et son aire d'applicabilité sont utilisés tels quels, de sorte que, sur le raster sur lequel il a été ajusté, il donne exactement la carte écrite par « Prédire une carte ».

Entrées
Prédicteur enregistré : le fichier .zip écrit par « Prédire une carte ». Il ne contient que des nombres et des réglages scikit-learn et ne peut exécuter aucun code à la lecture. Un fichier qui n'est pas un prédicteur BotaCLIP est refusé ; un fichier enregistré avec une autre version de scikit-learn est utilisé avec un avertissement.
Raster de plongements : créé par « Calculer les plongements » avec le même modèle que celui sur lequel le prédicteur a été ajusté. Un autre modèle (ou un autre backbone ou nombre de bandes) est refusé, en nommant les deux, car ses bandes signifient autre chose ; un raster sans les métadonnées de provenance de BotaCLIP est cartographié avec un avertissement.
Carte de prédiction : où la carte est écrite (un GeoTIFF).

Sorties
Carte de prédiction : un GeoTIFF optimisé pour le cloud avec les mêmes bandes que la carte prédite (prédiction, incertitude, aire d'applicabilité), chargé avec son style.
Pixels cartographiés et Pixels dans l'aire d'applicabilité : la part du raster que le prédicteur a pu cartographier, et la part cartographiée sans extrapolation.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="55" />
      <source>Saved predictor</source>
      <translation>Prédicteur enregistré</translation>
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="61" />
      <source>Pixels mapped</source>
      <translation>Pixels cartographiés</translation>
    </message>
    <message>
      <location filename="../plugin/processing/apply.py" line="63" />
      <source>Pixels inside the area of applicability</source>
      <translation>Pixels dans l'aire d'applicabilité</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="64" />
      <source>Data</source>
      <translation>Données</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="85" />
      <source>A Python package BotaCLIP needs is missing ({error}). Open BotaCLIP &gt; Settings… or the BotaCLIP message for how to install it.</source>
      <translation>Un paquet Python nécessaire à BotaCLIP est absent ({error}). Ouvrez BotaCLIP &gt; Paramètres… ou le message de BotaCLIP pour savoir comment l'installer.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="106" />
      <source>Taxon columns (default: every numeric column)</source>
      <translation>Colonnes de taxons (par défaut : toutes les colonnes numériques)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="110" />
      <source>Columns that are not taxa</source>
      <translation>Colonnes qui ne sont pas des taxons</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="120" />
      <source>Sensor (without a model folder)</source>
      <translation>Capteur (sans dossier de modèle)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="121" />
      <source>Band wavelengths in micrometres (without a model folder)</source>
      <translation>Longueurs d'onde des bandes en micromètres (sans dossier de modèle)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="122" />
      <source>Patch size (m; without a model folder)</source>
      <translation>Taille d'imagette (m ; sans dossier de modèle)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="124" />
      <source>Band wavelengths in micrometres (e.g. 0.665,0.56,0.49)</source>
      <translation>Longueurs d'onde des bandes en micromètres (p. ex. 0.665,0.56,0.49)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="125" />
      <source>Patch size (m)</source>
      <translation>Taille d'imagette (m)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="136" />
      <source>Orthophoto: the aerial image, any raster file GDAL reads (GeoTIFF, JPEG 2000, VRT...), with its bands named or its sensor given below.
Relevés: the vegetation plots, one point (or polygon) per plot with one numeric column per taxon (cover, presence or counts). Relevés kept as a long table (plot, taxon, cover) go through 'Import relevés from a long table' first.
Plot id column: the column that names each plot; empty, 'plot_id' if there is one, else the feature id.
Taxon columns: the columns that hold taxa; empty (the default), every numeric column except the plot id, coordinates and elevation.</source>
      <translation>Orthophoto : l'image aérienne, tout fichier raster lisible par GDAL (GeoTIFF, JPEG 2000, VRT...), avec ses bandes nommées ou son capteur indiqué ci-dessous.
Relevés : les placettes de végétation, un point (ou polygone) par placette avec une colonne numérique par taxon (recouvrement, présence ou effectifs). Des relevés tenus en table longue (placette, taxon, recouvrement) passent d'abord par « Importer des relevés depuis une table longue ».
Colonne d'identifiant : la colonne qui identifie chaque placette ; vide, « plot_id » s'il existe, sinon l'identifiant de l'entité.
Colonnes de taxons : les colonnes qui contiennent les taxons ; vide (par défaut), toutes les colonnes numériques sauf l'identifiant de placette, les coordonnées et l'altitude.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="147" />
      <source>Columns that are not taxa: numeric columns to leave out of that default (a year, a slope...).</source>
      <translation>Colonnes qui ne sont pas des taxons : colonnes numériques à exclure de ce choix par défaut (une année, une pente...).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="150" />
      <source>Cover scale: how the covers are written. Automatic (the default) recognises Braun-Blanquet codes, presence marks, fractions, percentages and counts; choose the scale when numbers alone are ambiguous (1 to 5 could be codes or percent).</source>
      <translation>Échelle de recouvrement : comment les recouvrements sont notés. Automatique (par défaut) reconnaît les indices de Braun-Blanquet, les marques de présence, les fractions, les pourcentages et les effectifs ; choisissez l'échelle quand les nombres seuls sont ambigus (1 à 5 peut désigner des indices ou des pourcentages).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="158" />
      <source>Sensor: which camera or satellite took the image, so that each band gets its wavelength; Automatic (the default) reads the band names or colours of the file.
Band wavelengths in micrometres: the centre wavelength of each band, in band order, e.g. 0.665,0.56,0.49,0.842 for red, green, blue and near-infrared; they override the sensor. Empty: from the sensor.
Patch size: the side of the square of image the model reads around each plot or output pixel, in metres (default 100, as in the BotaCLIP paper).</source>
      <translation>Capteur : la caméra ou le satellite qui a pris l'image, pour que chaque bande reçoive sa longueur d'onde ; Automatique (par défaut) lit les noms ou les couleurs des bandes du fichier.
Longueurs d'onde des bandes en micromètres : la longueur d'onde centrale de chaque bande, dans l'ordre des bandes, p. ex. 0.665,0.56,0.49,0.842 pour rouge, vert, bleu et proche infrarouge ; elles remplacent le capteur. Vide : d'après le capteur.
Taille d'imagette : le côté du carré d'image que le modèle lit autour de chaque placette ou pixel de sortie, en mètres (100 par défaut, comme dans l'article BotaCLIP).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="168" />
      <source>Sensor, Band wavelengths and Patch size are used only without a model folder: a model names its own bands and patch size.</source>
      <translation>Capteur, Longueurs d'onde des bandes et Taille d'imagette ne servent que sans dossier de modèle : un modèle indique ses propres bandes et sa taille d'imagette.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="202" />
      <source>Cannot open the raster given as {name}.</source>
      <translation>Impossible d'ouvrir le raster indiqué pour {name}.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/base.py" line="209" />
      <source>Cannot open the layer given as {name}.</source>
      <translation>Impossible d'ouvrir la couche indiquée pour {name}.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="32" />
      <source>Checks, before any model is trained, that your orthophoto and your vegetation relevés can be used together, and says for every plot whether it is usable and why not: its plot id is used twice, it has no coordinates, its centre is outside the orthophoto, too little of the image patch around it holds pixels, or no taxon is recorded in it. Nothing is dropped silently.

Inputs</source>
      <translation>Vérifie, avant tout entraînement de modèle, que votre orthophoto et vos relevés de végétation peuvent être utilisés ensemble, et indique pour chaque placette si elle est utilisable, et sinon pourquoi : son identifiant est utilisé deux fois, elle n'a pas de coordonnées, son centre est hors de l'orthophoto, une trop faible part de l'imagette qui l'entoure contient des pixels, ou aucun taxon n'y est noté. Rien n'est écarté en silence.

Entrées</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="39" />
      <source>Minimum valid fraction of a patch: the share of the patch that must hold image pixels, not no-data, for the plot to be usable (0 to 1, default 0.8); lower it for plots near the edge of the orthophoto.

Outputs
Plots with their status: the plots as points with a status field (usable, or the reason why not), loaded styled.
Report (JSON): the count of each status, the plots that cannot be used and why, taxon frequencies and raster details, for scripts.
Contact sheet (PNG, optional): image patches of sample plots side by side, to see what the model will see.
Usable plots, Plots and Taxa: the counts, also written in the log.</source>
      <translation>Fraction valide minimale d'une imagette : la part de l'imagette qui doit contenir des pixels d'image, et non des pixels sans données, pour que la placette soit utilisable (de 0 à 1, 0,8 par défaut) ; baissez-la pour les placettes proches du bord de l'orthophoto.

Sorties
Placettes avec leur statut : les placettes sous forme de points avec un champ de statut (utilisable, ou la raison sinon), chargées avec leur style.
Rapport (JSON) : le nombre de placettes par statut, les placettes inutilisables et pourquoi, la fréquence des taxons et les détails du raster, pour les scripts.
Planche contact (PNG, facultatif) : des imagettes de placettes exemples côte à côte, pour voir ce que le modèle verra.
Placettes utilisables, Placettes et Taxons : les nombres, également écrits dans le journal.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="56" />
      <source>Minimum valid fraction of a patch</source>
      <translation>Fraction valide minimale d'une imagette</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="59" />
      <source>Plots with their status</source>
      <translation>Placettes avec leur statut</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="61" />
      <source>Report (JSON)</source>
      <translation>Rapport (JSON)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="61" />
      <source>JSON files (*.json)</source>
      <translation>Fichiers JSON (*.json)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="63" />
      <source>Contact sheet (PNG)</source>
      <translation>Planche contact (PNG)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="63" />
      <source>PNG images (*.png)</source>
      <translation>Images PNG (*.png)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="65" />
      <source>Usable plots</source>
      <translation>Placettes utilisables</translation>
    </message>
    <message>
      <location filename="../plugin/processing/check.py" line="66" />
      <source>Plots</source>
      <translation>Placettes</translation>
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="30" />
      <source>Create demo landscape</source>
      <translation>Créer un paysage de démonstration</translation>
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="33" />
      <source>Writes a synthetic alpine landscape to try BotaCLIP without your own data: a 4-band orthophoto (red, green, blue, near-infrared, 0.5 m pixels), vegetation relevés (a point layer with one cover column per taxon, and the same relevés as a long table with a plot table of coordinates), butterfly transect points, soil nematode samples, and the ground truth (habitat, elevation, moisture) they were drawn from. Everything is made up (placed in Lambert-93 in the French Alps so that it looks at home): the same size and seed always give the same files.

Inputs
Output folder: where the files are written; it must be new, empty or hold demo data written before (other files in it are never touched). Nothing appears in it until the whole set is written.
Scene size: the side of the square scene in metres, from 300 to 20000 (default 2000, which takes about a minute).
Random seed: another number gives another landscape (default 0).

Outputs
Output folder: the folder holding everything below, with a README.txt.
Orthophoto and Relevés: the GeoTIFF and the relevé point layer, loaded into the project, styled.
Relevés as a long table: releves_long.csv (plot_id, taxon, Braun-Blanquet cover) and Plot table with coordinates: plots.csv (plot_id, x, y, elevation, habitat), to try 'Import relevés from a long table'.
Butterflies (0/1 per species along transects) and Soil samples (nematode counts per group): point layers to try 'Predict map'.
Number of relevés and Number of taxa: counts, for the Modeler and scripts.</source>
      <translation>Écrit un paysage alpin synthétique pour essayer BotaCLIP sans vos propres données : une orthophoto à 4 bandes (rouge, vert, bleu, proche infrarouge, pixels de 0,5 m), des relevés de végétation (une couche de points avec une colonne de recouvrement par taxon, et les mêmes relevés en table longue avec une table des placettes et leurs coordonnées), des points de transects de papillons, des échantillons de nématodes du sol, et la vérité terrain (habitat, altitude, humidité) dont ils sont tirés. Tout est inventé (placé en Lambert-93 dans les Alpes françaises pour paraître vraisemblable) : la même taille et la même graine donnent toujours les mêmes fichiers.

Entrées
Dossier de sortie : où les fichiers sont écrits ; il doit être nouveau, vide ou contenir des données de démonstration écrites auparavant (les autres fichiers qui s'y trouvent ne sont jamais touchés). Rien n'y apparaît avant que l'ensemble soit écrit.
Taille de la scène : le côté de la scène carrée en mètres, de 300 à 20 000 (2000 par défaut, soit environ une minute).
Graine aléatoire : un autre nombre donne un autre paysage (0 par défaut).

Sorties
Dossier de sortie : le dossier contenant tout ce qui suit, avec un README.txt.
Orthophoto et Relevés : le GeoTIFF et la couche de points des relevés, chargés dans le projet avec leur style.
Relevés en table longue : releves_long.csv (plot_id, taxon, recouvrement de Braun-Blanquet) et Table des placettes avec coordonnées : plots.csv (plot_id, x, y, elevation, habitat), pour essayer « Importer des relevés depuis une table longue ».
Papillons (0/1 par espèce le long des transects) et Échantillons de sol (effectifs de nématodes par groupe) : des couches de points pour essayer « Prédire une carte ».
Nombre de relevés et Nombre de taxons : les nombres, pour le Modeleur et les scripts.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="65" />
      <source>Scene size (m)</source>
      <translation>Taille de la scène (m)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="73" />
      <source>Relevés as a long table (CSV)</source>
      <translation>Relevés en table longue (CSV)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="75" />
      <source>Plot table with coordinates (CSV)</source>
      <translation>Table des placettes avec coordonnées (CSV)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="76" />
      <source>Butterflies</source>
      <translation>Papillons</translation>
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="80" />
      <source>Number of relevés</source>
      <translation>Nombre de relevés</translation>
    </message>
    <message>
      <location filename="../plugin/processing/demodata.py" line="81" />
      <source>Number of taxa</source>
      <translation>Nombre de taxons</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="91" />
      <source>Streams an orthophoto through a model and writes an embedding raster: the image is cut into square patches on a grid, and each patch becomes one pixel whose bands are the patch's embedding. A patch with too few valid image pixels is no-data. An interrupted or cancelled run continues where it stopped when run again with the same settings; the raster appears under its final name only when complete.

Inputs
Orthophoto: the aerial image to embed, any raster file GDAL reads.
Model folder: a model made by 'Train BotaCLIP model'; its backbone, bands and patch size are used, and a weights file given below replaces the backbone weights it recorded. Empty: the raw backbone chosen below, without BotaCLIP's training.</source>
      <translation>Fait passer une orthophoto bloc par bloc dans un modèle et écrit un raster de plongements : l'image est découpée en imagettes carrées selon une grille, et chaque imagette devient un pixel dont les bandes sont le plongement de l'imagette. Une imagette avec trop peu de pixels d'image valides reste sans données. Un calcul interrompu ou annulé reprend là où il s'est arrêté quand il est relancé avec les mêmes paramètres ; le raster n'apparaît sous son nom définitif qu'une fois terminé.

Entrées
Orthophoto : l'image aérienne à encoder, tout fichier raster lisible par GDAL.
Dossier du modèle : un modèle créé par « Entraîner le modèle BotaCLIP » ; son backbone, ses bandes et sa taille d'imagette sont utilisés, et un fichier de poids indiqué ci-dessous remplace les poids du backbone qu'il a enregistrés. Vide : le backbone brut choisi ci-dessous, sans l'entraînement de BotaCLIP.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="104" />
      <source>Stride: the distance between patch centres in metres, which is the pixel size of the embedding raster; 0 (the default) is half the patch size, so that patches overlap. A smaller stride gives a finer map and a longer run.
Extent: limits the run to a rectangle (taken in the orthophoto's CRS), e.g. to try settings on a small area first; empty, the whole orthophoto.
Mask polygons: optional; only patches inside them are embedded, the rest is no-data.
Precision: the model's arithmetic; bfloat16 is about twice as fast on recent CPUs and GPUs, and Automatic (the default) uses it only where its embeddings agree with float32. int8 (CPU only) quantises the model's linear layers: fastest on some CPUs, but it changes results (with DOFA base, about one patch in twenty got another nearest neighbour than in float32), so Automatic never takes it; asked for, it is used, with a warning giving its measured agreement with float32 when that is low.</source>
      <translation>Pas : la distance entre les centres des imagettes en mètres, qui est la taille de pixel du raster de plongements ; 0 (par défaut) correspond à la moitié de la taille d'imagette, pour que les imagettes se chevauchent. Un pas plus petit donne une carte plus fine et un calcul plus long.
Emprise : limite le calcul à un rectangle (pris dans le SCR de l'orthophoto), p. ex. pour essayer d'abord des paramètres sur une petite zone ; vide, toute l'orthophoto.
Polygones de masque : facultatif ; seules les imagettes à l'intérieur sont encodées, le reste est sans données.
Précision : l'arithmétique du modèle ; bfloat16 est environ deux fois plus rapide sur les CPU et GPU récents, et Automatique (par défaut) ne l'utilise que là où ses plongements concordent avec float32. int8 (CPU seulement) quantifie les couches linéaires du modèle : le plus rapide sur certains CPU, mais il modifie les résultats (avec DOFA base, environ une imagette sur vingt avait un autre plus proche voisin qu'en float32), si bien qu'Automatique ne le choisit jamais ; demandé explicitement, il est utilisé, avec un avertissement indiquant sa concordance mesurée avec float32 quand celle-ci est faible.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="119" />
      <source>Embedding data type: float16 (the default) takes half the disk space of float32 and is precise enough for maps.
Batch size: patches computed at once (an advanced parameter); 0, chosen from the memory available.
Minimum valid fraction of a patch: the share of image pixels a patch needs to get an embedding (0 to 1, default 0.5).
Measure the best batch size and reader threads on this machine first: times a few batches at the start (seconds to a minute) and keeps the result for later runs with the same model and precision; off (the default), they are measured once per machine, model and precision, and only for runs large enough to pay for it (an advanced parameter).
Dask scheduler: empty (the default), the run stays in this process. Given, the grid is cut into tiles computed on a Dask cluster: local or local:N starts N worker processes on this computer, tcp://HOST:PORT or the .json file a scheduler wrote joins a running cluster (its workers must see the orthophoto, the model and the output folder under the same paths). The raster is the same; an interrupted run continues from its finished tiles, kept in a folder beside the output (NAME.tiles). Needs the Python package dask[distributed].
Keep the tiles: with a Dask scheduler, keep the tile folder and write a VRT (the output's name with .vrt) over the tiles instead of one GeoTIFF.
Patches per tile: with a Dask scheduler, about this many patches per tile (empty: 4096).

Outputs
Embeddings: a cloud-optimised GeoTIFF with one band per embedding dimension and the model's provenance in its tags, loaded unticked (it is read by 'Predict map', 'Similarity map' and the other map tools, not looked at).
Embedding preview: optional, the first three principal components of the embeddings as an RGB image, loaded visible: places the model sees alike get alike colours.</source>
      <translation>Type de données des plongements : float16 (par défaut) prend moitié moins d'espace disque que float32 et reste assez précis pour les cartes.
Taille de lot : nombre d'imagettes calculées à la fois (paramètre avancé) ; 0, choisie d'après la mémoire disponible.
Fraction valide minimale d'une imagette : la part de pixels d'image dont une imagette a besoin pour recevoir un plongement (de 0 à 1, 0,5 par défaut).
Mesurer d'abord la meilleure taille de lot et le nombre de threads de lecture sur cette machine : chronomètre quelques lots au départ (de quelques secondes à une minute) et garde le résultat pour les calculs suivants avec le même modèle et la même précision ; désactivé (par défaut), ils sont mesurés une fois par machine, modèle et précision, et seulement pour les calculs assez grands pour que cela en vaille la peine (paramètre avancé).
Planificateur Dask : vide (par défaut), le calcul reste dans ce processus. Renseigné, la grille est découpée en tuiles calculées sur un cluster Dask : local ou local:N lance N processus de calcul sur cet ordinateur, tcp://HOST:PORT ou le fichier .json écrit par un planificateur rejoint un cluster déjà lancé (ses processus de calcul doivent voir l'orthophoto, le modèle et le dossier de sortie sous les mêmes chemins). Le raster est le même ; un calcul interrompu reprend à partir de ses tuiles terminées, conservées dans un dossier à côté de la sortie (NAME.tiles). Nécessite le paquet Python dask[distributed].
Conserver les tuiles : avec un planificateur Dask, garder le dossier des tuiles et écrire un VRT (le nom de la sortie avec .vrt) sur les tuiles au lieu d'un seul GeoTIFF.
Imagettes par tuile : avec un planificateur Dask, environ ce nombre d'imagettes par tuile (vide : 4096).

Sorties
Plongements : un GeoTIFF optimisé pour le cloud avec une bande par dimension du plongement et la provenance du modèle dans ses métadonnées, chargé décoché (il est lu par « Prédire une carte », « Carte de similarité » et les autres outils cartographiques, pas destiné à être regardé).
Aperçu des plongements : facultatif, les trois premières composantes principales des plongements en image RVB, chargé visible : les lieux que le modèle voit comme semblables prennent des couleurs semblables.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="153" />
      <source>Model folder (empty: the raw backbone below)</source>
      <translation>Dossier du modèle (vide : le backbone brut ci-dessous)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="158" />
      <source>Stride (m; 0: half the patch size)</source>
      <translation>Pas (m ; 0 : la moitié de la taille d'imagette)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="161" />
      <source>Extent (empty: the whole orthophoto)</source>
      <translation>Emprise (vide : toute l'orthophoto)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="163" />
      <source>Mask polygons (optional)</source>
      <translation>Polygones de masque (facultatif)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="169" />
      <source>Embedding data type</source>
      <translation>Type de données des plongements</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="172" />
      <source>Batch size (0: automatic)</source>
      <translation>Taille de lot (0 : automatique)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="181" />
      <source>Embedding preview (RGB)</source>
      <translation>Aperçu des plongements (RVB)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="186" />
      <source>Measure the best batch size and reader threads on this machine first</source>
      <translation>Mesurer d'abord la meilleure taille de lot et le nombre de threads de lecture sur cette machine</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="189" />
      <source>Dask scheduler (empty: run in this process; local, local:N, tcp://HOST:PORT or a scheduler file)</source>
      <translation>Planificateur Dask (vide : calcul dans ce processus ; local, local:N, tcp://HOST:PORT ou un fichier de planificateur)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="192" />
      <source>Keep the tiles (with a Dask scheduler: a VRT over them instead of one GeoTIFF)</source>
      <translation>Conserver les tuiles (avec un planificateur Dask : un VRT sur les tuiles au lieu d'un seul GeoTIFF)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="195" />
      <source>Patches per tile (with a Dask scheduler; empty: 4096)</source>
      <translation>Imagettes par tuile (avec un planificateur Dask ; vide : 4096)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="210" />
      <source>'Keep the tiles' and 'Patches per tile' go with a Dask scheduler (a run tile by tile): give one, or leave them unset.</source>
      <translation>« Conserver les tuiles » et « Imagettes par tuile » vont avec un planificateur Dask (un calcul tuile par tuile) : indiquez-en un, ou laissez-les non renseignés.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/embed.py" line="311" />
      <source>A Dask scheduler needs the Python package dask[distributed], which QGIS's Python lacks ({error}). Install it in that Python (pip install "dask[distributed]"), or leave the Dask scheduler empty to embed in this process.</source>
      <translation>Un planificateur Dask nécessite le paquet Python dask[distributed], absent du Python de QGIS ({error}). Installez-le dans ce Python (pip install "dask[distributed]"), ou laissez le planificateur Dask vide pour calculer les plongements dans ce processus.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="60" />
      <source>Evaluate embedding sources</source>
      <translation>Évaluer les sources de plongements</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="63" />
      <source>Compares embedding sources as predictors on your data, with the protocol of the BotaCLIP paper: the spectral baseline (band statistics, always), the frozen image backbone (with a model folder, or when DOFA weights are found) and the BotaCLIP model (with a model folder). A source that cannot be evaluated is named in the report with the reason. Every source is judged on the same spatial folds (blocks with a buffer, repeated with new blocks), so that the comparison is paired: a Wilcoxon test across folds says whether one source beats another, and by how much.

Inputs</source>
      <translation>Compare des sources de plongements comme prédicteurs sur vos données, avec le protocole de l'article BotaCLIP : la référence spectrale (statistiques des bandes, toujours), le backbone d'image figé (avec un dossier de modèle, ou si des poids DOFA sont trouvés) et le modèle BotaCLIP (avec un dossier de modèle). Une source qui ne peut pas être évaluée est citée dans le rapport avec la raison. Chaque source est jugée sur les mêmes plis spatiaux (blocs avec zone tampon, répétés avec de nouveaux blocs), pour que la comparaison soit appariée : un test de Wilcoxon sur les plis indique si une source l'emporte sur une autre, et de combien.

Entrées</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="73" />
      <source>The relevés give one task per taxon, plant presence; the plots the model was trained on are left out.
Point layer to evaluate on as well: optional, your own observations (e.g. butterflies, soil samples).
Target field: the field(s) of the point layer to predict.
Task of the point layer: presence, presence only, abundance or classes; Automatic (the default): presence with a target field, presence only without.
Model folder: a model made by 'Train BotaCLIP model'; it adds the BotaCLIP source and the frozen backbone it was built on. Empty: no BotaCLIP source, and the backbone below is compared when its weights are found.</source>
      <translation>Les relevés donnent une tâche par taxon, la présence de la plante ; les placettes sur lesquelles le modèle a été entraîné sont écartées.
Couche de points sur laquelle évaluer aussi : facultatif, vos propres observations (p. ex. papillons, échantillons de sol).
Champ cible : le ou les champs de la couche de points à prédire.
Tâche de la couche de points : présence, présence seule, abondance ou classes ; Automatique (par défaut) : présence avec un champ cible, présence seule sans.
Dossier du modèle : un modèle créé par « Entraîner le modèle BotaCLIP » ; il ajoute la source BotaCLIP et le backbone figé sur lequel il repose. Vide : pas de source BotaCLIP, et le backbone ci-dessous est comparé si ses poids sont trouvés.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="85" />
      <source>Repeats of the cross-validation: how many times it is repeated with new blocks (default 5); 5 folds × 5 repeats give 25 paired scores per source, enough for a Wilcoxon test.
Spatial cross-validation folds: blocks of points held out together, the same for every source (default 5).
Estimator: the model fitted on each source's embeddings (an advanced parameter); the random forest (the default) is the paper's.
Taxa evaluated: a taxon is a task only with at least this many presences and as many absences among the plots (default 10).
Random seed: the same seed gives the same blocks and folds (default 0).</source>
      <translation>Répétitions de la validation croisée : combien de fois elle est répétée avec de nouveaux blocs (5 par défaut) ; 5 plis × 5 répétitions donnent 25 scores appariés par source, assez pour un test de Wilcoxon.
Plis de la validation croisée spatiale : des blocs de points mis de côté ensemble, les mêmes pour chaque source (5 par défaut).
Estimateur : le modèle ajusté aux plongements de chaque source (paramètre avancé) ; la forêt aléatoire (par défaut) est celle de l'article.
Taxons évalués : un taxon ne devient une tâche qu'avec au moins ce nombre de présences et autant d'absences parmi les placettes (10 par défaut).
Graine aléatoire : la même graine donne les mêmes blocs et les mêmes plis (0 par défaut).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="96" />
      <source>Evaluation report folder: where the report is written.

Outputs
Evaluation report folder: the folder holding both files below.
Evaluation report: report.html, with box plots per source, a table laid out like the paper's, and sentences saying which source wins where, with how many folds and points stand behind each figure (also written in the log).
Evaluation figures: evaluation.json, every score of every fold, for scripts.</source>
      <translation>Dossier du rapport d'évaluation : où le rapport est écrit.

Sorties
Dossier du rapport d'évaluation : le dossier contenant les deux fichiers ci-dessous.
Rapport d'évaluation : report.html, avec des boîtes à moustaches par source, un tableau présenté comme celui de l'article, et des phrases indiquant quelle source l'emporte et où, avec le nombre de plis et de points derrière chaque chiffre (également écrit dans le journal).
Résultats de l'évaluation : evaluation.json, tous les scores de tous les plis, pour les scripts.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="108" />
      <source>Point layer to evaluate on as well (optional)</source>
      <translation>Couche de points sur laquelle évaluer aussi (facultatif)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="111" />
      <source>Target field(s) of the point layer</source>
      <translation>Champ(s) cible(s) de la couche de points</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="114" />
      <source>Task of the point layer</source>
      <translation>Tâche de la couche de points</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="115" />
      <source>Automatic (presence with a target field, presence only without)</source>
      <translation>Automatique (présence avec un champ cible, présence seule sans)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="118" />
      <source>Model folder (empty: no BotaCLIP source; the backbone below)</source>
      <translation>Dossier du modèle (vide : pas de source BotaCLIP ; le backbone ci-dessous)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="123" />
      <source>Repeats of the cross-validation</source>
      <translation>Répétitions de la validation croisée</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="126" />
      <source>Spatial cross-validation folds</source>
      <translation>Plis de la validation croisée spatiale</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="132" />
      <source>Taxa evaluated: at least this many presences and absences</source>
      <translation>Taxons évalués : au moins ce nombre de présences et d'absences</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="139" />
      <source>Evaluation report folder</source>
      <translation>Dossier du rapport d'évaluation</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="140" />
      <source>Evaluation report</source>
      <translation>Rapport d'évaluation</translation>
    </message>
    <message>
      <location filename="../plugin/processing/evaluate.py" line="142" />
      <source>Evaluation figures (evaluation.json)</source>
      <translation>Résultats de l'évaluation (evaluation.json)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="62" />
      <source>Groups the pixels of an embedding raster into k habitat types by k-means (fitted on a sample of pixels, then every pixel given its nearest centre, block by block) and writes a categorical map with a colour per cluster and a legend (habitat 1, habitat 2...).

Inputs
Embedding raster: made by 'Embed orthophoto'; pixels that look alike in it end up in one habitat.
Number of clusters: how many habitat types (default 8); 0 chooses k automatically, as in the BotaCLIP paper: the lowest Davies-Bouldin index (compact clusters far apart) over the k tried; the curve is written in the log.
Smallest k tried and Largest k tried: the range of k, both included, when k is chosen automatically (default 3 to 15).
Random seed: the same seed gives the same sample of pixels and the same map (default 0).
Orthophoto: optional, for a thumbnail of a typical place of each cluster in the summary.
Model folder: optional, the model the raster was made with, for the taxa most typical of each cluster in the summary.
Summary folder: optional, where the summary is written.
Habitat map: where the map is written.

Outputs
Habitat map: a categorical cloud-optimised GeoTIFF, habitat 1 the largest, with a colour and a name per cluster, loaded styled.
Summary folder: clusters.json and clusters.html with each cluster's area, and the thumbnails and typical taxa asked for.
Number of clusters: the k used.</source>
      <translation>Regroupe les pixels d'un raster de plongements en k types d'habitats par k-moyennes (ajustées sur un échantillon de pixels, puis chaque pixel est attribué au centre le plus proche, bloc par bloc) et écrit une carte catégorielle avec une couleur par groupe et une légende (habitat 1, habitat 2...).

Entrées
Raster de plongements : créé par « Calculer les plongements » ; les pixels qui s'y ressemblent finissent dans un même habitat.
Nombre de groupes : combien de types d'habitats (8 par défaut) ; 0 choisit k automatiquement, comme dans l'article BotaCLIP : l'indice de Davies-Bouldin le plus bas (groupes compacts et éloignés) parmi les k essayés ; la courbe est écrite dans le journal.
Plus petit k essayé et Plus grand k essayé : l'intervalle de k, bornes incluses, quand k est choisi automatiquement (de 3 à 15 par défaut).
Graine aléatoire : la même graine donne le même échantillon de pixels et la même carte (0 par défaut).
Orthophoto : facultative, pour une vignette d'un lieu typique de chaque groupe dans le résumé.
Dossier du modèle : facultatif, le modèle avec lequel le raster a été créé, pour les taxons les plus typiques de chaque groupe dans le résumé.
Dossier de résumé : facultatif, où le résumé est écrit.
Carte des habitats : où la carte est écrite.

Sorties
Carte des habitats : un GeoTIFF catégoriel optimisé pour le cloud, l'habitat 1 étant le plus étendu, avec une couleur et un nom par groupe, chargé avec son style.
Dossier de résumé : clusters.json et clusters.html avec la surface de chaque groupe, ainsi que les vignettes et les taxons typiques demandés.
Nombre de groupes : le k utilisé.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="95" />
      <source>Number of clusters (0: chosen by the Davies-Bouldin index)</source>
      <translation>Nombre de groupes (0 : choisi par l'indice de Davies-Bouldin)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="98" />
      <source>Smallest k tried (automatic k)</source>
      <translation>Plus petit k essayé (k automatique)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="101" />
      <source>Largest k tried (automatic k)</source>
      <translation>Plus grand k essayé (k automatique)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="106" />
      <source>Orthophoto, for thumbnails in the summary (optional)</source>
      <translation>Orthophoto, pour les vignettes du résumé (facultatif)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="109" />
      <source>Model folder, for typical taxa in the summary (optional)</source>
      <translation>Dossier du modèle, pour les taxons typiques du résumé (facultatif)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/habitats.py" line="112" />
      <source>Summary folder (optional)</source>
      <translation>Dossier de résumé (facultatif)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="37" />
      <source>Import relevés from a long table</source>
      <translation>Importer des relevés depuis une table longue</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="40" />
      <source>Turns relevés kept as a long table -- one row per taxon in a plot: plot id, taxon name, cover, as exported from Turboveg or a spreadsheet -- and a plot table with the coordinates of each plot into a relevé point layer: one point per plot, one column per taxon, ready for the other BotaCLIP tools. A taxon recorded twice in a plot (tree and shrub layers) is combined; taxon names are tidied (spaces, capitals, 'subsp.'), not matched to a checklist.

Inputs
Long table: a CSV file (comma, semicolon or tab) with one row per taxon in a plot.
Plot table with coordinates: a CSV file with one row per plot and its coordinates, or a point layer (then leave X and Y empty). A plot id that appears twice in it is refused.
Plot id column: the column naming the plot, in both tables (default plot_id).
Taxon column: the column of the long table holding the taxon name (default taxon).
Cover column: the column of the long table holding the cover (default cover).
X column and Y column: the coordinate columns of the plot table (default x and y), easting and northing, or longitude and latitude in degrees.
CRS of X and Y: their coordinate reference system, e.g. EPSG:4326 for longitude/latitude, EPSG:2154 for Lambert-93.
Cover scale: how the covers are written: Braun-Blanquet codes (r, +, 1, 2m, 2a, 2b, 3, 4, 5, converted to percent), percentages, fractions, presence marks (1/0, x) or counts. Automatic (the default) recognises them; choose the scale when numbers alone are ambiguous.
Plot id column of the long table: only when its name differs from the plot table's.

Outputs
Relevés: the relevé point layer (a GeoPackage), loaded styled.
Plots and Taxa: how many of each it holds; the log says how the covers were read.</source>
      <translation>Transforme des relevés tenus en table longue — une ligne par taxon d'une placette : identifiant de placette, nom du taxon, recouvrement, tels qu'exportés de Turboveg ou d'un tableur — et une table des placettes avec les coordonnées de chaque placette en une couche de points de relevés : un point par placette, une colonne par taxon, prête pour les autres outils BotaCLIP. Un taxon noté deux fois dans une placette (strates arborescente et arbustive) est combiné ; les noms de taxons sont nettoyés (espaces, majuscules, « subsp. »), sans être rapprochés d'un référentiel taxonomique.

Entrées
Table longue : un fichier CSV (virgule, point-virgule ou tabulation) avec une ligne par taxon d'une placette.
Table des placettes avec coordonnées : un fichier CSV avec une ligne par placette et ses coordonnées, ou une couche de points (laissez alors X et Y vides). Un identifiant de placette qui y figure deux fois est refusé.
Colonne d'identifiant : la colonne qui identifie la placette, dans les deux tables (plot_id par défaut).
Colonne des taxons : la colonne de la table longue qui contient le nom du taxon (taxon par défaut).
Colonne recouvrement : la colonne de la table longue qui contient le recouvrement (cover par défaut).
Colonne X et Colonne Y : les colonnes de coordonnées de la table des placettes (x et y par défaut), coordonnées est et nord, ou longitude et latitude en degrés.
SCR de X et Y : leur système de coordonnées de référence, p. ex. EPSG:4326 pour la longitude/latitude, EPSG:2154 pour le Lambert-93.
Échelle de recouvrement : la façon dont les recouvrements sont notés : indices de Braun-Blanquet (r, +, 1, 2m, 2a, 2b, 3, 4, 5, convertis en pourcentage), pourcentages, fractions, marques de présence (1/0, x) ou effectifs. Automatique (par défaut) les reconnaît ; choisissez l'échelle quand les nombres seuls sont ambigus.
Colonne d'identifiant de placette de la table longue : seulement si son nom diffère de celui de la table des placettes.

Sorties
Relevés : la couche de points de relevés (un GeoPackage), chargée avec son style.
Placettes et Taxons : combien elle en contient ; le journal indique comment les recouvrements ont été lus.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="73" />
      <source>CSV files (*.csv *.tsv *.txt);;All files (*.*)</source>
      <translation>Fichiers CSV (*.csv *.tsv *.txt);;Tous les fichiers (*.*)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="75" />
      <source>Long table (plot id, taxon, cover)</source>
      <translation>Table longue (placette, taxon, recouvrement)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="78" />
      <source>Plot table with coordinates (or a point layer)</source>
      <translation>Table des placettes avec coordonnées (ou couche de points)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="80" />
      <source>CSV or vector files (*.csv *.tsv *.txt *.gpkg *.shp *.geojson);;All files (*.*)</source>
      <translation>Fichiers CSV ou vecteur (*.csv *.tsv *.txt *.gpkg *.shp *.geojson);;Tous les fichiers (*.*)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="85" />
      <source>Taxon column (long table)</source>
      <translation>Colonne des taxons (table longue)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="87" />
      <source>Cover column (long table)</source>
      <translation>Colonne recouvrement (table longue)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="89" />
      <source>X column (plot table)</source>
      <translation>Colonne X (table des placettes)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="91" />
      <source>Y column (plot table)</source>
      <translation>Colonne Y (table des placettes)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="93" />
      <source>CRS of X and Y</source>
      <translation>SCR de X et Y</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="98" />
      <source>Plot id column of the long table, if named differently</source>
      <translation>Colonne d'identifiant de placette de la table longue, si nommée autrement</translation>
    </message>
    <message>
      <location filename="../plugin/processing/importreleves.py" line="122" />
      <source>{plots} plots, {taxa} taxa (covers read as {scale}).</source>
      <translation>{plots} placettes, {taxa} taxons (recouvrements lus comme {scale}).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="46" />
      <source>Model</source>
      <translation>Modèle</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="64" />
      <source>Image backbone</source>
      <translation>Backbone d'image</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="67" />
      <source>timm model name (for the timm backbone, e.g. resnet50)</source>
      <translation>Nom du modèle timm (pour le backbone timm, p. ex. resnet50)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="70" />
      <source>Backbone weights file (empty: looked up in the weights folder of BotaCLIP settings)</source>
      <translation>Fichier de poids du backbone (vide : recherché dans le dossier des poids des paramètres de BotaCLIP)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="73" />
      <source>Random weights (for testing only: the results mean nothing)</source>
      <translation>Poids aléatoires (tests uniquement : les résultats n'ont aucun sens)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="79" />
      <source>Image backbone: the frozen image model. DOFA base (the default, recommended) reads any bands through their wavelengths; DOFA small is the fastest, DOFA large the largest; a timm model reads red, green and blue; the spectral baseline (band statistics) needs no weights and runs in seconds, to try a set-up.
timm model name: for the timm backbone only, the model's name as timm spells it (e.g. resnet50; an advanced parameter).
Backbone weights file: the backbone's checkpoint (.safetensors, .pth...); empty, the DOFA file is looked up in the weights folder of BotaCLIP settings.
Random weights: seeded random backbone weights, to test a set-up without the weights file; the results mean nothing, and every output records it.</source>
      <translation>Backbone d'image : le modèle d'image figé. DOFA base (par défaut, recommandé) lit n'importe quelles bandes grâce à leurs longueurs d'onde ; DOFA small est le plus rapide, DOFA large le plus grand ; un modèle timm lit le rouge, le vert et le bleu ; la référence spectrale (statistiques des bandes) ne demande aucun poids et s'exécute en quelques secondes, pour essayer une configuration.
Nom du modèle timm : pour le backbone timm uniquement, le nom du modèle tel que timm l'écrit (p. ex. resnet50 ; un paramètre avancé).
Fichier de poids du backbone : le fichier de poids du backbone (.safetensors, .pth...) ; vide, le fichier DOFA est recherché dans le dossier des poids des paramètres de BotaCLIP.
Poids aléatoires : des poids aléatoires du backbone, tirés d'une graine, pour tester une configuration sans le fichier de poids ; les résultats n'ont aucun sens, et chaque sortie l'indique.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="94" />
      <source>Device: where the model runs. As in BotaCLIP settings (the default), Automatic (a CUDA GPU when PyTorch sees one), the CPU, or the GPU.</source>
      <translation>Processeur : où le modèle s'exécute. Comme dans les paramètres de BotaCLIP (par défaut), Automatique (un GPU CUDA si PyTorch en détecte un), le CPU ou le GPU.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="101" />
      <source>As in BotaCLIP settings</source>
      <translation>Comme dans les paramètres de BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/processing/modelparams.py" line="110" />
      <source>Give the timm model's name (e.g. resnet50) for the timm backbone.</source>
      <translation>Indiquez le nom du modèle timm (p. ex. resnet50) pour le backbone timm.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="40" />
      <source>BotaCLIP predictor (*.zip);;All files (*.*)</source>
      <translation>Prédicteur BotaCLIP (*.zip);;Tous les fichiers (*.*)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="45" />
      <source>AUC (presence)</source>
      <translation>AUC (présence)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="46" />
      <source>True skill statistic, TSS (presence)</source>
      <translation>True Skill Statistic, TSS (présence)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="47" />
      <source>F1 at the TSS threshold (presence)</source>
      <translation>F1 au seuil du TSS (présence)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="48" />
      <source>Boyce index (presence only)</source>
      <translation>Indice de Boyce (présence seule)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="49" />
      <source>Mean absolute error (abundance)</source>
      <translation>Erreur absolue moyenne (abondance)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="50" />
      <source>Root mean square error (abundance)</source>
      <translation>Racine de l'erreur quadratique moyenne (abondance)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="51" />
      <source>Spearman correlation (abundance)</source>
      <translation>Corrélation de Spearman (abondance)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="52" />
      <source>R² (abundance)</source>
      <translation>R² (abondance)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="53" />
      <source>Accuracy (classes)</source>
      <translation>Exactitude (classes)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="54" />
      <source>Macro-averaged F1 (classes)</source>
      <translation>F1 en macro-moyenne (classes)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="55" />
      <source>Cohen's kappa (classes)</source>
      <translation>Kappa de Cohen (classes)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="63" />
      <source>Prediction maps</source>
      <translation>Cartes de prédiction</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="117" />
      <source>Maps a plant, a habitat or any field of a point layer from an embedding raster (made by 'Embed orthophoto'): the embedding is read at every point, an estimator learns the field from it and predicts every pixel of the raster. The estimator is judged by spatial block cross-validation: the points are grouped in square blocks, the blocks dealt into folds, and training points closer than the buffer to a test point are left out, so that no test point is judged by a neighbour seen in training. Points outside the raster or on no-data are counted and named in the log, never dropped silently.

Inputs
Embedding raster: made by 'Embed orthophoto' (one band per dimension).
Orthophoto, embedded on the way, with a Model folder: instead of an embedding raster; the orthophoto is embedded into PRED.embeddings.tif beside the map (kept, and reused by a later run with the same inputs), and the embedding at each point is that of the patch centred exactly on it.
Embedding stride in metres: with the orthophoto, the pixel size of that embedding (an advanced parameter; empty, half the model's patch side).
Points: your observations, one point each.
Target field: the field to map; several only for abundance (one band each); none for presence only.
Task: presence (a 0/1 field: the probability of presence), presence only (every point a presence, compared with background points drawn from the raster), abundance (numbers: the predicted value) or classes (text or codes: one probability per class and the most probable class).
Estimator: the model fitted to the embeddings at the points; the random forest (the default: 500 trees, classes balanced) needs no tuning, the others are there to compare.
Spatial cross-validation folds: how many folds the blocks are dealt into (default 5).
Buffer around test points: in metres; empty, the embedding's patch side, since two points closer than that were seen through the same pixels.
Side of the spatial blocks: in metres; empty, 5 pixels and at least twice the buffer.
Background points for presence only: how many are drawn; empty, 10 per presence, at most 10 000.
Random seed: the same seed gives the same folds, background points and model (default 0).
Prediction map, Report folder and Saved predictor: where the outputs below are written; the last two are optional.

Outputs
Prediction map: a cloud-optimised GeoTIFF with the prediction band(s), an uncertainty band (the spread of the fold models' predictions) and an area of applicability band (1 inside, 0 where the embedding differs so much from every training point that the model extrapolates), loaded styled: probabilities in viridis from 0 to 1, abundance on a sequential ramp, classes with their names.
Report folder: metrics.json with every target, every fold and the point counts; Metrics file is its path.
Saved predictor: the fitted model in a file, which 'Apply predictor' maps onto another embedding raster made with the same model.
Points with an embedding and Background points: the points the model was fitted on.
The cross-validated figures of the first target, by task (the others are empty): presence: AUC, True skill statistic (TSS) and F1 at the TSS threshold; presence only: Boyce index; abundance: Mean absolute error, Root mean square error, Spearman correlation and R²; classes: Accuracy, Macro-averaged F1 and Cohen's kappa.</source>
      <translation>Cartographie une plante, un habitat ou tout champ d'une couche de points à partir d'un raster de plongements (créé par « Calculer les plongements ») : le plongement est lu en chaque point, un estimateur en apprend le champ et prédit chaque pixel du raster. L'estimateur est jugé par validation croisée spatiale par blocs : les points sont groupés en blocs carrés, les blocs répartis en plis, et les points d'entraînement situés dans la zone tampon d'un point de test sont écartés, pour qu'aucun point de test ne soit jugé par un voisin vu à l'entraînement. Les points hors du raster ou sur une valeur sans donnée sont comptés et nommés dans le journal, jamais écartés en silence.

Entrées
Raster de plongements : créé par « Calculer les plongements » (une bande par dimension).
Orthophoto, encodée au passage, avec un Dossier du modèle : au lieu d'un raster de plongements ; l'orthophoto est encodée dans PRED.embeddings.tif à côté de la carte (conservé, et réutilisé par une exécution ultérieure avec les mêmes entrées), et le plongement en chaque point est celui de l'imagette centrée exactement sur lui.
Pas des plongements en mètres : avec l'orthophoto, la taille de pixel de ces plongements (un paramètre avancé ; vide, la moitié du côté d'imagette du modèle).
Points : vos observations, un point chacune.
Champ cible : le champ à cartographier ; plusieurs seulement pour l'abondance (une bande chacun) ; aucun pour la présence seule.
Tâche : présence (un champ 0/1 : la probabilité de présence), présence seule (chaque point est une présence, comparée à des points de fond tirés du raster), abondance (nombres : la valeur prédite) ou classes (texte ou codes : une probabilité par classe et la classe la plus probable).
Estimateur : le modèle ajusté aux plongements aux points ; la forêt aléatoire (par défaut : 500 arbres, classes équilibrées) ne demande aucun réglage, les autres servent à comparer.
Plis de la validation croisée spatiale : en combien de plis les blocs sont répartis (5 par défaut).
Zone tampon autour des points de test : en mètres ; vide, le côté d'imagette du plongement, car deux points plus proches que cela ont été vus à travers les mêmes pixels.
Côté des blocs spatiaux : en mètres ; vide, 5 pixels et au moins deux fois la zone tampon.
Points de fond pour la présence seule : combien en tirer ; vide, 10 par présence, au plus 10 000.
Graine aléatoire : la même graine donne les mêmes plis, les mêmes points de fond et le même modèle (0 par défaut).
Carte de prédiction, Dossier du rapport et Prédicteur enregistré : où sont écrites les sorties ci-dessous ; les deux derniers sont facultatifs.

Sorties
Carte de prédiction : un GeoTIFF optimisé pour le cloud avec la ou les bandes de prédiction, une bande d'incertitude (la dispersion des prédictions des modèles des plis) et une bande d'aire d'applicabilité (1 à l'intérieur, 0 là où le plongement diffère tant de tous les points d'entraînement que le modèle extrapole), chargé avec son style : probabilités en viridis de 0 à 1, abondance sur une rampe de couleurs séquentielle, classes avec leurs noms.
Dossier du rapport : metrics.json avec chaque cible, chaque pli et les nombres de points ; Fichier des métriques en donne le chemin.
Prédicteur enregistré : le modèle ajusté, dans un fichier, que l'outil « Appliquer le prédicteur » applique à un autre raster de plongements créé avec le même modèle.
Points avec un plongement et Points de fond : les points sur lesquels le modèle a été ajusté.
Les scores en validation croisée de la première cible, selon la tâche (les autres restent vides) : présence : AUC, True Skill Statistic (TSS) et F1 au seuil du TSS ; présence seule : Indice de Boyce ; abondance : Erreur absolue moyenne, Racine de l'erreur quadratique moyenne, Corrélation de Spearman et R² ; classes : Exactitude, F1 en macro-moyenne et Kappa de Cohen.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="177" />
      <source>Embedding raster (or an orthophoto and a model below)</source>
      <translation>Raster de plongements (ou une orthophoto et un modèle ci-dessous)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="180" />
      <source>Orthophoto, embedded on the way (instead of an embedding raster)</source>
      <translation>Orthophoto, encodée au passage (au lieu d'un raster de plongements)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="183" />
      <source>Model folder (with the orthophoto)</source>
      <translation>Dossier du modèle (avec l'orthophoto)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="186" />
      <source>Embedding stride in metres, with the orthophoto (empty: half the model's patch side)</source>
      <translation>Pas des plongements en mètres, avec l'orthophoto (vide : la moitié du côté d'imagette du modèle)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="191" />
      <source>Target field(s) (several only for abundance; none for presence only: every point is a presence)</source>
      <translation>Champ(s) cible(s) (plusieurs seulement pour l'abondance ; aucun pour la présence seule : chaque point est une présence)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="202" />
      <source>Buffer around test points, in metres (empty: the embedding's patch side)</source>
      <translation>Zone tampon autour des points de test, en mètres (vide : le côté d'imagette du plongement)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="205" />
      <source>Side of the spatial blocks, in metres (empty: 5 pixels, at least twice the buffer)</source>
      <translation>Côté des blocs spatiaux, en mètres (vide : 5 pixels, au moins deux fois la zone tampon)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="208" />
      <source>Background points for presence only (empty: 10 per presence, at most 10 000)</source>
      <translation>Points de fond pour la présence seule (vide : 10 par présence, au plus 10 000)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="215" />
      <source>Report folder (metrics.json)</source>
      <translation>Dossier du rapport (metrics.json)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="217" />
      <source>Saved predictor (for 'Apply predictor')</source>
      <translation>Prédicteur enregistré (pour « Appliquer le prédicteur »)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="219" />
      <source>Metrics file (metrics.json)</source>
      <translation>Fichier des métriques (metrics.json)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="220" />
      <source>Points with an embedding</source>
      <translation>Points avec un plongement</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="222" />
      <source>Background points (presence only)</source>
      <translation>Points de fond (présence seule)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="235" />
      <source>Give an embedding raster, or an orthophoto and a model folder (the orthophoto is then embedded on the way), but not both.</source>
      <translation>Indiquez un raster de plongements, ou une orthophoto et un dossier de modèle (l'orthophoto est alors encodée au passage), mais pas les deux.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/predict.py" line="275" />
      <source>Cross-validated metrics of {target}: {metrics}</source>
      <translation>Métriques de {target} en validation croisée : {metrics}</translation>
    </message>
    <message>
      <location filename="../plugin/processing/provider.py" line="40" />
      <source>BotaCLIP {version}: botany-aware embeddings from orthophotos and relevés</source>
      <translation>BotaCLIP {version} : plongements informés par la botanique à partir d'orthophotos et de relevés</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="49" />
      <source>Maps without labels</source>
      <translation>Cartes sans observations</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="75" />
      <source>Maps how much every pixel of an embedding raster looks like what you ask for: the cosine similarity (from -1 to 1; 1: the same direction in the embedding space) of each pixel's embedding to a query. The query is one of: a point (where else looks like this place), a species list (where does this community fit), or relevés given by their plot ids. The interactive tool (BotaCLIP &gt; Find similar places) does the same for the map view by a click.

Inputs
Embedding raster: made by 'Embed orthophoto'.
Place to look like: a point; the query is the embedding of the pixel under it.
Model folder: the model the raster was embedded with, needed for a species list or relevés; a raster made without that model's adapter is refused, with the reason.
Species list: taxa typed as 'Name one; Name two=cover', encoded by the model's relevé encoder; a taxon the model does not know gets the nearest known names suggested.
Relevés: a relevé layer, with Plot ids of the relevés: the ids of the plots to use, separated by commas; the query is the mean of their encodings.
Threshold for the area: optional, from -1 to 1; the area at or above it is counted.
Give one query only: a point, a species list, or relevés.

Outputs
Similarity map: a cloud-optimised GeoTIFF with the query and statistics in its tags, loaded with a diverging ramp: blue -1, white 0, red 1.
Area at or above the threshold: in km² (NaN without a threshold).
Pixels with a similarity: the pixels that are not no-data.</source>
      <translation>Cartographie à quel point chaque pixel d'un raster de plongements ressemble à ce que vous demandez : la similarité cosinus (de -1 à 1 ; 1 : la même direction dans l'espace des plongements) entre le plongement de chaque pixel et une requête. La requête est au choix : un point (quels autres lieux ressemblent à cet endroit), une liste d'espèces (où cette communauté trouve-t-elle sa place) ou des relevés désignés par leurs identifiants de placette. L'outil interactif (BotaCLIP &gt; Trouver des lieux similaires) fait de même d'un clic pour la vue de la carte.

Entrées
Raster de plongements : créé par « Calculer les plongements ».
Lieu de référence : un point ; la requête est le plongement du pixel situé dessous.
Dossier du modèle : le modèle avec lequel le raster a été calculé, nécessaire pour une liste d'espèces ou des relevés ; un raster créé sans l'adaptateur de ce modèle est refusé, avec la raison.
Liste d'espèces : des taxons saisis sous la forme « Nom un; Nom deux=recouvrement », encodés par l'encodeur de relevés du modèle ; pour un taxon que le modèle ne connaît pas, les noms connus les plus proches sont proposés.
Relevés : une couche de relevés, avec Identifiants de placette des relevés : les identifiants des placettes à utiliser, séparés par des virgules ; la requête est la moyenne de leurs encodages.
Seuil pour la surface : facultatif, de -1 à 1 ; la surface au seuil ou au-dessus est comptée.
Indiquez une seule requête : un point, une liste d'espèces ou des relevés.

Sorties
Carte de similarité : un GeoTIFF optimisé pour le cloud avec la requête et des statistiques dans ses métadonnées, chargé avec une rampe de couleurs divergente : bleu -1, blanc 0, rouge 1.
Surface au seuil ou au-dessus : en km² (NaN sans seuil).
Pixels avec une similarité : les pixels qui ne sont pas sans donnée.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="106" />
      <source>Place to look like (a point; or a model and taxa or relevés below)</source>
      <translation>Lieu de référence (un point ; ou un modèle et des taxons ou relevés ci-dessous)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="109" />
      <source>Model folder (for taxa or relevés)</source>
      <translation>Dossier du modèle (pour taxons ou relevés)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="112" />
      <source>Species list, e.g. 'Carex nigra; Juncus effusus=20' (with a model)</source>
      <translation>Liste d'espèces, p. ex. « Carex nigra; Juncus effusus=20 » (avec un modèle)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="115" />
      <source>Relevés (with a model and plot ids)</source>
      <translation>Relevés (avec un modèle et des identifiants)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="118" />
      <source>Plot ids of the relevés, separated by commas</source>
      <translation>Identifiants de placette des relevés, séparés par des virgules</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="121" />
      <source>Threshold for the area (-1 to 1, optional)</source>
      <translation>Seuil pour la surface (-1 à 1, facultatif)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="126" />
      <source>Area at or above the threshold (km²)</source>
      <translation>Surface au seuil ou au-dessus (km²)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="127" />
      <source>Pixels with a similarity</source>
      <translation>Pixels avec une similarité</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="139" />
      <source>Give one query: a point, or a species list, or relevés with their plot ids (the last two with a model folder).</source>
      <translation>Indiquez une seule requête : un point, ou une liste d'espèces, ou des relevés avec leurs identifiants de placette (les deux derniers avec un dossier de modèle).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="147" />
      <source>A species list or relevés need the model folder the embedding raster was made with (Model folder).</source>
      <translation>Une liste d'espèces ou des relevés nécessitent le dossier du modèle avec lequel le raster de plongements a été créé (Dossier du modèle).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="155" />
      <source>Give the plot ids of the relevés to look like (Plot ids, e.g. 'P001, P007').</source>
      <translation>Indiquez les identifiants de placette des relevés de référence (Identifiants de placette, p. ex. « P001, P007 »).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/similarity.py" line="178" />
      <source>{km2:.4g} km² at or above {threshold:.2f}.</source>
      <translation>{km2:.4g} km² au seuil {threshold:.2f} ou au-dessus.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="44" />
      <source>Maps where taxa would find their habitat, without any observation points: the model's relevé encoder places each taxon alone in the shared space, and every pixel of the embedding raster gets its cosine similarity to it (-1 to 1), one band per taxon.

Inputs
Model folder: the model the embedding raster was made with (its adapter and relevé encoder).
Embedding raster: made by 'Embed orthophoto' with this model; one made with another model or a raw backbone is refused, with the reason.
Taxa, separated by ';': the taxa to map, one band each; names the model does not know are refused, with the nearest known names suggested.
All the model's taxa: one band for every taxon the model knows, instead of the list.
Expected community: two more bands, the expected richness (soft retrieval over the model's training relevés, with the temperature fitted on its validation split) and the most likely taxon per pixel, named in the legend.

Outputs
Suitability map: a cloud-optimised GeoTIFF, one band per taxon (the cosine of each pixel to the taxon, -1 to 1), then the expected community's bands, loaded styled.
Taxa mapped: how many taxa got a band.</source>
      <translation>Cartographie où les taxons trouveraient leur habitat, sans aucun point d'observation : l'encodeur de relevés du modèle place chaque taxon seul dans l'espace partagé, et chaque pixel du raster de plongements reçoit sa similarité cosinus avec lui (de -1 à 1), une bande par taxon.

Entrées
Dossier du modèle : le modèle avec lequel le raster de plongements a été créé (son adaptateur et son encodeur de relevés).
Raster de plongements : créé par « Calculer les plongements » avec ce modèle ; un raster créé avec un autre modèle ou un backbone brut est refusé, avec la raison.
Taxons, séparés par « ; » : les taxons à cartographier, une bande chacun ; les noms que le modèle ne connaît pas sont refusés, et les noms connus les plus proches sont proposés.
Tous les taxons du modèle : une bande pour chaque taxon connu du modèle, au lieu de la liste.
Communauté attendue : deux bandes de plus, la richesse attendue (recherche souple parmi les relevés d'entraînement du modèle, avec la température ajustée sur ses placettes de validation) et le taxon le plus probable par pixel, nommé dans la légende.

Sorties
Carte d'aptitude : un GeoTIFF optimisé pour le cloud, une bande par taxon (le cosinus entre chaque pixel et le taxon, de -1 à 1), puis les bandes de la communauté attendue, chargé avec son style.
Taxons cartographiés : combien de taxons ont reçu une bande.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="71" />
      <source>Embedding raster (made with this model)</source>
      <translation>Raster de plongements (créé avec ce modèle)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="73" />
      <source>Taxa, separated by ';'</source>
      <translation>Taxons, séparés par « ; »</translation>
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="77" />
      <source>Expected community (richness and top taxon)</source>
      <translation>Communauté attendue (richesse et taxon le plus probable)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/suitability.py" line="81" />
      <source>Taxa mapped</source>
      <translation>Taxons cartographiés</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="41" />
      <source>Test recall@10, image to relevé (trained)</source>
      <translation>Rappel@10 en test, image vers relevé (entraîné)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="43" />
      <source>Test recall@10, relevé to image (trained)</source>
      <translation>Rappel@10 en test, relevé vers image (entraîné)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="45" />
      <source>Test recall@10, image to relevé (untrained)</source>
      <translation>Rappel@10 en test, image vers relevé (non entraîné)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="47" />
      <source>Test recall@10, relevé to image (untrained)</source>
      <translation>Rappel@10 en test, relevé vers image (non entraîné)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="48" />
      <source>Test recall@10 by chance</source>
      <translation>Rappel@10 en test dû au hasard</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="50" />
      <source>Validation recall@10, image to relevé (trained; chose the epoch)</source>
      <translation>Rappel@10 en validation, image vers relevé (entraîné ; a choisi l'époque)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="52" />
      <source>Validation recall@10, relevé to image (trained; chose the epoch)</source>
      <translation>Rappel@10 en validation, relevé vers image (entraîné ; a choisi l'époque)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="53" />
      <source>Validation recall@10 by chance</source>
      <translation>Rappel@10 en validation dû au hasard</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="83" />
      <source>Trains a BotaCLIP model: it teaches a frozen Earth-observation image model (DOFA) what the vegetation relevés say about the image around each plot. A light adapter on the image features and a relevé encoder are trained together so that the image patch of a plot and its list of taxa get similar embeddings. The backbone runs once per plot (and per flip and rotation of its patch); its features are cached, so a second training on the same data starts at once.
At least 150 usable plots are needed: 50 each to train, to choose the epoch kept (validation) and to test the model (the figures reported); by default 60 %, 20 % and 20 % of the plots, in separate spatial blocks.

Inputs</source>
      <translation>Entraîne un modèle BotaCLIP : il apprend à un modèle d'image d'observation de la Terre figé (DOFA) ce que les relevés de végétation disent de l'image autour de chaque placette. Un adaptateur léger sur les caractéristiques d'image et un encodeur de relevés sont entraînés ensemble pour que l'imagette d'une placette et sa liste de taxons reçoivent des plongements semblables. Le backbone s'exécute une fois par placette (et par retournement et rotation de son imagette) ; ses caractéristiques sont mises en cache, si bien qu'un second entraînement sur les mêmes données démarre aussitôt.
Il faut au moins 150 placettes utilisables : 50 pour entraîner, 50 pour choisir l'époque retenue (validation) et 50 pour tester le modèle (les scores rapportés) ; par défaut 60 %, 20 % et 20 % des placettes, dans des blocs spatiaux distincts.

Entrées</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="94" />
      <source>Cover transform for the relevé encoder: how covers are fed to it (an advanced parameter); the square root of cover (the default) keeps rare taxa visible beside dominant ones.</source>
      <translation>Transformation des recouvrements (encodeur de relevés) : la façon dont les recouvrements lui sont fournis (un paramètre avancé) ; la racine carrée du recouvrement (par défaut) garde les taxons rares visibles à côté des dominants.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="98" />
      <source>Epochs: passes over the training plots, at most (default 50): training stops early when the validation recall no longer improves, so a high value costs little.
Random seed: the same seed gives the same split of the plots and the same model (default 0).</source>
      <translation>Époques : nombre maximal de passages sur les placettes d'entraînement (50 par défaut) : l'entraînement s'arrête tôt quand le rappel en validation ne s'améliore plus, si bien qu'une valeur élevée coûte peu.
Graine aléatoire : la même graine donne la même répartition des placettes et le même modèle (0 par défaut).</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="104" />
      <source>Minimum valid fraction of a patch: the share of a plot's patch that must hold image pixels for the plot to be used (0 to 1, default 0.8).
Buffer between training and held-out plots: training plots closer than this (in metres; empty, the patch size) to a validation or test plot are left out, so that no training patch overlaps a held-out one.
Model folder: the folder to write the model into (config.json, the trained weights, the report); 'Embed orthophoto' reads it.

Outputs
Model folder: the trained model.
Training report: an HTML page with the loss curves and the recall@1/5/10 of the trained model, the untrained model and chance.
Recall@10 is the share of plots whose own relevé is among the 10 nearest to their image (image to relevé) or whose image is among the 10 nearest to their relevé (relevé to image). Test recall@10 (of the trained and the untrained model) and Test recall@10 by chance are measured on the test plots, which chose nothing: the figures to report. Validation recall@10 (trained) and Validation recall@10 by chance are measured on the validation plots, which chose the epoch and so flatter the model.
Plots used, Test plots, Training plots left out by the buffer, Taxa and Best epoch: where the plots went and when training peaked.</source>
      <translation>Fraction valide minimale d'une imagette : la part de l'imagette d'une placette qui doit contenir des pixels d'image pour que la placette soit utilisée (de 0 à 1, 0,8 par défaut).
Zone tampon entre placettes d'entraînement et mises de côté : les placettes d'entraînement plus proches que cette distance (en mètres ; vide, la taille d'imagette) d'une placette de validation ou de test sont écartées, pour qu'aucune imagette d'entraînement ne chevauche une imagette mise de côté.
Dossier du modèle : le dossier où écrire le modèle (config.json, les poids entraînés, le rapport) ; « Calculer les plongements » le lit.

Sorties
Dossier du modèle : le modèle entraîné.
Rapport d'entraînement : une page HTML avec les courbes de perte et le rappel@1/5/10 du modèle entraîné, du modèle non entraîné et du hasard.
Le rappel@10 est la part des placettes dont le propre relevé figure parmi les 10 plus proches de leur image (image vers relevé) ou dont l'image figure parmi les 10 plus proches de leur relevé (relevé vers image). Rappel@10 en test (du modèle entraîné et du modèle non entraîné) et Rappel@10 en test dû au hasard sont mesurés sur les placettes de test, qui n'ont servi à aucun choix : ce sont les scores à publier. Rappel@10 en validation (entraîné) et Rappel@10 en validation dû au hasard sont mesurés sur les placettes de validation, qui ont servi à choisir l'époque et flattent donc le modèle.
Placettes utilisées, Placettes de test, Placettes d'entraînement écartées par la zone tampon, Taxons et Meilleure époque : la répartition des placettes et l'époque où l'entraînement a culminé.</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="130" />
      <source>Cover transform for the relevé encoder</source>
      <translation>Transformation des recouvrements (encodeur de relevés)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="136" />
      <source>Epochs (at most; training stops early when it no longer improves)</source>
      <translation>Époques (au plus ; l'entraînement s'arrête tôt quand il ne s'améliore plus)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="145" />
      <source>Buffer between training and held-out plots, in metres (empty: the patch size)</source>
      <translation>Zone tampon entre placettes d'entraînement et mises de côté, en mètres (vide : la taille d'imagette)</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="149" />
      <source>Training report</source>
      <translation>Rapport d'entraînement</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="152" />
      <source>Plots used</source>
      <translation>Placettes utilisées</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="153" />
      <source>Test plots</source>
      <translation>Placettes de test</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="155" />
      <source>Training plots left out by the buffer</source>
      <translation>Placettes d'entraînement écartées par la zone tampon</translation>
    </message>
    <message>
      <location filename="../plugin/processing/train.py" line="157" />
      <source>Best epoch</source>
      <translation>Meilleure époque</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="41" />
      <source>BotaCLIP settings</source>
      <translation>Paramètres de BotaCLIP</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="50" />
      <source>Folder holding the backbone weights (.pth or .safetensors files). Empty: the default folder shown. BotaCLIP downloads weights only when you ask (Manage weights…).</source>
      <translation>Dossier contenant les poids des backbones (fichiers .pth ou .safetensors). Vide : le dossier par défaut affiché. BotaCLIP ne télécharge de poids que si vous le demandez (Gérer les poids…).</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="53" />
      <source>Model weights folder</source>
      <translation>Dossier des poids des modèles</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="57" />
      <source>Automatic (GPU when available)</source>
      <translation>Automatique (GPU si disponible)</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="58" />
      <source>NVIDIA GPU (CUDA)</source>
      <translation>GPU NVIDIA (CUDA)</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="61" />
      <source>Where the models run.</source>
      <translation>Où les modèles s'exécutent.</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="65" />
      <source>Features computed once per orthophoto are kept here so that training again is fast. Empty: the default folder.</source>
      <translation>Les caractéristiques calculées une fois par orthophoto sont conservées ici pour qu'un nouvel entraînement soit rapide. Vide : le dossier par défaut.</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="67" />
      <source>Cache folder</source>
      <translation>Dossier du cache</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="71" />
      <source>Automatic</source>
      <translation>Automatique</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="72" />
      <source>CPU threads for the models; Automatic uses all cores.</source>
      <translation>Threads CPU pour les modèles ; Automatique utilise tous les cœurs.</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="73" />
      <source>CPU threads</source>
      <translation>Threads CPU</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="75" />
      <source>not set</source>
      <translation>non défini</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="76" />
      <source>A folder where you installed Python packages with 'pip install --target'. It is searched first; restart QGIS after changing it if packages were already loaded.</source>
      <translation>Un dossier où vous avez installé des paquets Python avec « pip install --target ». Il est consulté en premier ; redémarrez QGIS après l'avoir changé si des paquets étaient déjà chargés.</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="79" />
      <source>Extra Python packages folder</source>
      <translation>Dossier de paquets Python supplémentaires</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="106" />
      <source>The published DOFA checkpoints found in the weights folder above (by name; Manage weights… checks their sha256).</source>
      <translation>Les fichiers de poids DOFA publiés trouvés dans le dossier des poids ci-dessus (d'après leur nom ; Gérer les poids… vérifie leur sha256).</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="109" />
      <source>Manage weights…</source>
      <translation>Gérer les poids…</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="110" />
      <source>See which DOFA checkpoints the weights folder holds, with their size, sha256 and origin; download a published one, or import a file you already have.</source>
      <translation>Voir quels fichiers de poids DOFA contient le dossier des poids, avec leur taille, leur sha256 et leur origine ; télécharger un fichier publié, ou importer un fichier que vous avez déjà.</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="130" />
      <source>{n} of {total} present</source>
      <translation>{n} sur {total} présents</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="164" />
      <source>The model weights folder {path} does not exist.</source>
      <translation>Le dossier des poids des modèles {path} n'existe pas.</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="167" />
      <source>The cache folder {path} does not exist and cannot be created: its parent folder is missing.</source>
      <translation>Le dossier du cache {path} n'existe pas et ne peut pas être créé : son dossier parent est absent.</translation>
    </message>
    <message>
      <location filename="../plugin/settings_dialog.py" line="171" />
      <source>The extra Python packages folder {path} does not exist.</source>
      <translation>Le dossier de paquets Python supplémentaires {path} n'existe pas.</translation>
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="83" />
      <source>Unexpected error in {task}: {error}. The details are in the log (View &gt; Panels &gt; Log Messages, BotaCLIP tab).</source>
      <translation>Erreur inattendue dans « {task} » : {error}. Les détails sont dans le journal (Vue &gt; Panneaux &gt; Journal des messages, onglet BotaCLIP).</translation>
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="98" />
      <source>Error while finishing {task}:</source>
      <translation>Erreur à la fin de « {task} » :</translation>
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="119" />
      <source>{task}: cancelled.</source>
      <translation>{task} : tâche annulée.</translation>
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="124" />
      <source>{task} was cancelled; nothing was written.</source>
      <translation>{task} : tâche annulée ; rien n'a été écrit.</translation>
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="129" />
      <source>{task} stopped without a result.</source>
      <translation>{task} : tâche arrêtée sans résultat.</translation>
    </message>
    <message>
      <location filename="../plugin/tasks.py" line="158" />
      <source>{task}: {n} warning(s). {first}</source>
      <translation>{task} : {n} avertissement(s). {first}</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="114" />
      <source>Copy path</source>
      <translation>Copier le chemin</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="116" />
      <source>Copy the full path to the clipboard</source>
      <translation>Copier le chemin complet dans le presse-papiers</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="209" />
      <source>Web link</source>
      <translation>Lien web</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="209" />
      <source>The system browser could not be started. Copy the address into a browser:</source>
      <translation>Le navigateur du système n'a pas pu être lancé. Copiez l'adresse dans un navigateur :</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="244" />
      <source>This image cannot be read: {error}</source>
      <translation>Impossible de lire cette image : {error}</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="249" />
      <source>Fit to window</source>
      <translation>Ajuster à la fenêtre</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="358" />
      <source>This folder could not be opened by the system. Its full path:</source>
      <translation>Le système n'a pas pu ouvrir ce dossier. Son chemin complet :</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="360" />
      <source>No program to open this file was found. Its full path:</source>
      <translation>Aucun programme n'a été trouvé pour ouvrir ce fichier. Son chemin complet :</translation>
    </message>
    <message>
      <location filename="../plugin/viewer.py" line="362" />
      <source>This file does not exist (any more):</source>
      <translation>Ce fichier n'existe pas (ou plus) :</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="80" />
      <source>{path} is already there: nothing to download.</source>
      <translation>{path} est déjà présent : rien à télécharger.</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="85" />
      <source>Cannot create the weights folder {folder}: {reason}.</source>
      <translation>Impossible de créer le dossier des poids {folder} : {reason}.</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="176" />
      <source>{done} of {total}</source>
      <translation>{done} sur {total}</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="198" />
      <source>Download cancelled.</source>
      <translation>Téléchargement annulé.</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="216" />
      <source>The download stopped before the end ({reason}).</source>
      <translation>Le téléchargement s'est arrêté avant la fin ({reason}).</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="217" />
      <source>connection closed</source>
      <translation>connexion fermée</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="223" />
      <source>The server of {url} answers resumed downloads wrongly; delete {part} and try again.</source>
      <translation>Le serveur de {url} gère mal la reprise des téléchargements ; supprimez {part} et réessayez.</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="230" />
      <source>Could not download {url}</source>
      <translation>Impossible de télécharger {url}</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="231" />
      <source>HTTP status {status}</source>
      <translation>Statut HTTP {status}</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="232" />
      <source>{where}: {reason}. Check the network connection, and the proxy in QGIS's Settings &gt; Options &gt; Network.</source>
      <translation>{where} : {reason}. Vérifiez la connexion réseau, ainsi que le proxy dans Préférences &gt; Options &gt; Réseau de QGIS.</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="240" />
      <source>The {size} already downloaded are kept in {part}: Get weights… again resumes from there.</source>
      <translation>Les {size} déjà téléchargés sont conservés dans {part} : relancer « Obtenir les poids… » reprend à partir de là.</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="247" />
      <source>checking the sha256…</source>
      <translation>vérification du sha256…</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="249" />
      <source>Checking the downloaded {name}</source>
      <translation>Vérification de {name} téléchargé</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="254" />
      <source>Check cancelled.</source>
      <translation>Vérification annulée.</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="259" />
      <source>{name} downloaded and its sha256 checked: it is in {folder}.</source>
      <translation>{name} téléchargé et son sha256 vérifié : il se trouve dans {folder}.</translation>
    </message>
    <message>
      <location filename="../plugin/weights/download.py" line="262" />
      <source>The downloaded file is not the published {name}: its sha256 is {got}, the published one {expected}. It was removed. The server (or a proxy in between) sent something else: try again later, or get the file another way and use Import file….</source>
      <translation>Le fichier téléchargé n'est pas le {name} publié : son sha256 est {got}, celui du fichier publié {expected}. Il a été supprimé. Le serveur (ou un proxy intermédiaire) a envoyé autre chose : réessayez plus tard, ou procurez-vous le fichier autrement et utilisez « Importer un fichier… ».</translation>
    </message>
    <message>
      <source>Training needs at least {n} plots (a third to train on, a third to choose the epoch, a third to test the model); '{layer}' has {count}.</source>
      <translation type="obsolete">L'entraînement demande au moins {n} placettes (un tiers pour entraîner, un tiers pour choisir l'époque, un tiers pour tester le modèle) ; « {layer} » en a {count}.</translation>
    </message>
    <message>
      <source>BotaCLIP: missing Python packages</source>
      <translation type="obsolete">BotaCLIP : paquets Python manquants</translation>
    </message>
    <message>
      <source>Copy to clipboard</source>
      <translation type="obsolete">Copier dans le presse-papiers</translation>
    </message>
    <message>
      <source>Maps an embedding raster with a predictor saved by 'Predict map' (its 'Saved predictor' output): another area, another year, or the same raster again. Nothing is fitted: the saved model, its cross-validation models and its area of applicability are used as they are, so that on the raster it was fitted on it gives the very map 'Predict map' wrote.

Predictor: the .zip file written by 'Predict map'. It holds numbers and scikit-learn settings only and cannot run code when read. A file that is not a BotaCLIP predictor is refused; one saved by another scikit-learn version is used with a warning.

Embedding raster: made by 'Embed orthophoto' with the same model as the one the predictor was fitted on. Another model (or another backbone or band count) is refused with both named, since its bands mean something else; a raster without BotaCLIP's provenance tags is mapped with a warning.

Output: a cloud-optimised GeoTIFF with the same bands as the predicted map (prediction, uncertainty, area of applicability), loaded styled; the number of pixels mapped and of pixels inside the area of applicability.</source>
      <translation type="obsolete">Cartographie un raster de plongements avec un prédicteur enregistré par « Prédire une carte » (sa sortie « Prédicteur enregistré ») : une autre zone, une autre année, ou de nouveau le même raster. Rien n'est ajusté : le modèle enregistré, ses modèles de validation croisée et son aire d'applicabilité sont utilisés tels quels, de sorte que sur le raster sur lequel il a été ajusté, il donne exactement la carte écrite par « Prédire une carte ».

Prédicteur : le fichier .zip écrit par « Prédire une carte ». Il ne contient que des nombres et des paramètres scikit-learn et ne peut exécuter aucun code à la lecture. Un fichier qui n'est pas un prédicteur BotaCLIP est refusé ; un fichier enregistré par une autre version de scikit-learn est utilisé avec un avertissement.

Raster de plongements : créé par « Calculer les plongements » avec le même modèle que celui sur lequel le prédicteur a été ajusté. Un autre modèle (ou un autre backbone ou nombre de bandes) est refusé, les deux étant nommés, car ses bandes ont un autre sens ; un raster sans les métadonnées de provenance de BotaCLIP est cartographié avec un avertissement.

Sortie : un GeoTIFF optimisé pour le cloud avec les mêmes bandes que la carte prédite (prédiction, incertitude, aire d'applicabilité), chargé avec son style ; le nombre de pixels cartographiés et de pixels dans l'aire d'applicabilité.</translation>
    </message>
    <message>
      <source>Compares embedding sources as predictors on your data, with the protocol of the BotaCLIP paper: the spectral baseline (band statistics, always), the frozen image backbone (with a model folder, or when DOFA weights are found) and the BotaCLIP model (with a model folder). A source that cannot be evaluated is named in the report with the reason.

Tasks: plant presence per taxon from the relevés (taxa with at least the minimum number of presences and of absences; the plots the model was trained on are left out), and, optionally, the target field(s) of a point layer (presence, presence only, abundance or classes; automatic: presence with a field, presence only without).

Every source is judged on the same spatial folds (blocks with a buffer, repeated with new blocks), so that the comparison is paired: a Wilcoxon test across folds says whether one source beats another, and by how much.

Output: a folder with evaluation.json and report.html (box plots per source, a table laid out like the paper's, and sentences saying which source wins where, with how many folds and points stand behind each figure).</source>
      <translation type="obsolete">Compare des sources de plongements comme prédicteurs sur vos données, avec le protocole de l'article de BotaCLIP : la référence spectrale (statistiques des bandes, toujours), le backbone d'image figé (avec un dossier de modèle, ou quand des poids DOFA sont trouvés) et le modèle BotaCLIP (avec un dossier de modèle). Une source qui ne peut pas être évaluée est nommée dans le rapport avec la raison.

Tâches : présence des plantes par taxon à partir des relevés (les taxons ayant au moins le nombre minimal de présences et d'absences ; les placettes sur lesquelles le modèle a été entraîné sont écartées) et, en option, le ou les champs cibles d'une couche de points (présence, présence seule, abondance ou classes ; automatique : présence avec un champ, présence seule sans).

Chaque source est jugée sur les mêmes plis spatiaux (blocs avec zone tampon, répétés avec de nouveaux blocs), de sorte que la comparaison est appariée : un test de Wilcoxon sur les plis dit si une source en bat une autre, et de combien.

Sortie : un dossier avec evaluation.json et report.html (boîtes à moustaches par source, un tableau présenté comme celui de l'article, et des phrases disant quelle source l'emporte et où, avec le nombre de plis et de points derrière chaque valeur).</translation>
    </message>
    <message>
      <source>Groups the pixels of an embedding raster into k habitat types by k-means (fitted on a sample of pixels, then every pixel given its nearest centre, block by block) and writes a categorical cloud-optimised GeoTIFF with a colour per cluster and a legend (habitat 1, habitat 2...).

Number of clusters: 0 chooses k automatically, as in the BotaCLIP paper: the lowest Davies-Bouldin index over k from the minimum to the maximum (both included); the curve is written in the log. The same seed gives the same map.

Summary folder (optional): clusters.json and clusters.html with each cluster's area, and with an orthophoto a thumbnail of a representative place, and with the model folder the raster was made with the taxa most typical of each cluster.</source>
      <translation type="obsolete">Regroupe les pixels d'un raster de plongements en k types d'habitats par k-moyennes (k-means, ajusté sur un échantillon de pixels, puis chaque pixel reçoit son centre le plus proche, bloc par bloc) et écrit un GeoTIFF catégoriel optimisé pour le cloud avec une couleur par groupe et une légende (habitat 1, habitat 2...).

Nombre de groupes : 0 choisit k automatiquement, comme dans l'article de BotaCLIP : le plus faible indice de Davies-Bouldin pour k allant du minimum au maximum (inclus) ; la courbe est écrite dans le journal. La même graine donne la même carte.

Dossier de résumé (facultatif) : clusters.json et clusters.html avec la surface de chaque groupe, avec une orthophoto la vignette d'un lieu représentatif, et, avec le dossier du modèle qui a servi à encoder le raster, les taxons les plus typiques de chaque groupe.</translation>
    </message>
    <message>
      <source>Maps a plant, a habitat or any field of a point layer from an embedding raster (made by 'Embed orthophoto'): the embedding is read at every point, an estimator learns the field from it and predicts every pixel of the raster. Instead of an embedding raster, an orthophoto and a model folder may be given: the orthophoto is then embedded on the way into PRED.embeddings.tif beside the map (kept, and reused by a later run with the same inputs), and the embedding at each point is that of the patch centred exactly on it.

Task: presence (a 0/1 field: the probability of presence), presence only (every point a presence, compared with background points drawn from the raster: 10 per presence, at most 10 000, unless given), abundance (numbers; several fields give one band each) or classes (text or codes: one probability per class and the most probable class). Points outside the raster or on no-data are counted and named in the log, never dropped silently.

The estimator (a random forest by default) is judged by spatial block cross-validation: the points are grouped in square blocks (default: 5 pixels, at least twice the buffer), the blocks dealt into folds, and training points closer than the buffer (default: the embedding's patch side) to a test point are left out, so that no test point is judged by a neighbour seen in training. The figures of the first target come out as numbers (AUC, TSS, Boyce, MAE, kappa... by task; the others are empty); the report folder gets metrics.json with every target, every fold and the point counts.

Output: a cloud-optimised GeoTIFF with the prediction band(s), an uncertainty band (the spread of the fold models' predictions) and an area of applicability band (1 inside, 0 where the embedding differs from every training point so much that the model extrapolates). It is loaded styled: probabilities in viridis from 0 to 1, abundance on a sequential ramp, classes with their names. Predictor (optional): the fitted model saved to a file, which 'Apply predictor' maps onto another embedding raster made with the same model.</source>
      <translation type="obsolete">Cartographie une plante, un habitat ou tout champ d'une couche de points à partir d'un raster de plongements (créé par « Calculer les plongements ») : le plongement est lu à chaque point, un estimateur apprend le champ à partir de lui et prédit chaque pixel du raster. À la place d'un raster de plongements, une orthophoto et un dossier de modèle peuvent être indiqués : l'orthophoto est alors encodée au passage dans PRED.embeddings.tif à côté de la carte (conservé, et réutilisé par une exécution ultérieure avec les mêmes entrées), et le plongement de chaque point est celui de l'imagette centrée exactement sur lui.

Tâche : présence (un champ 0/1 : la probabilité de présence), présence seule (chaque point est une présence, comparée à des points de fond tirés du raster : 10 par présence, au plus 10 000, sauf indication contraire), abondance (nombres ; plusieurs champs donnent une bande chacun) ou classes (texte ou codes : une probabilité par classe et la classe la plus probable). Les points hors du raster ou sur NoData sont comptés et nommés dans le journal, jamais écartés en silence.

L'estimateur (une forêt aléatoire par défaut) est jugé par validation croisée spatiale par blocs : les points sont regroupés en blocs carrés (par défaut : 5 pixels, au moins deux fois la zone tampon), les blocs sont répartis en plis, et les points d'entraînement situés dans la zone tampon (par défaut : le côté d'imagette du plongement) d'un point de test sont écartés, de sorte qu'aucun point de test n'est jugé par un voisin vu à l'entraînement. Les scores de la première cible sortent sous forme de nombres (AUC, TSS, Boyce, MAE, kappa... selon la tâche ; les autres restent vides) ; le dossier du rapport reçoit metrics.json avec chaque cible, chaque pli et les effectifs de points.

Sortie : un GeoTIFF optimisé pour le cloud avec la ou les bandes de prédiction, une bande d'incertitude (la dispersion des prédictions des modèles des plis) et une bande d'aire d'applicabilité (1 à l'intérieur, 0 là où le plongement diffère tant de tous les points d'entraînement que le modèle extrapole). Il est chargé avec un style : probabilités en viridis de 0 à 1, abondance sur une rampe séquentielle, classes avec leurs noms. Prédicteur (facultatif) : le modèle ajusté enregistré dans un fichier, qu'« Appliquer le prédicteur » applique à un autre raster de plongements créé avec le même modèle.</translation>
    </message>
    <message>
      <source>Maps how much every pixel of an embedding raster looks like what you ask for: the cosine similarity (from -1 to 1; 1: the same direction in the embedding space) of each pixel's embedding to a query.

The query is one of: a point (the embedding of the pixel under it: 'where else looks like this place'); or, with a model folder (the model the raster was embedded with), a species list typed as 'Name one; Name two=cover' (encoded by the model's relevé encoder: 'where does this community fit'), or relevés of a layer given by their plot ids (the mean of their encodings). A raster made without that model's adapter is refused, with the reason; a taxon the model does not know gets the nearest known names suggested.

Threshold (optional, -1 to 1): the area at or above it is counted and given in km² (AREA_ABOVE_KM2). The map is a cloud-optimised GeoTIFF with the query and statistics in its tags, loaded with a diverging ramp: blue -1, white 0, red 1. The interactive tool (BotaCLIP &gt; Find similar places) does the same for the map view by a click.</source>
      <translation type="obsolete">Cartographie à quel point chaque pixel d'un raster de plongements ressemble à ce que vous demandez : la similarité cosinus (de -1 à 1 ; 1 : la même direction dans l'espace des plongements) entre le plongement de chaque pixel et une requête.

La requête est l'une des suivantes : un point (le plongement du pixel situé dessous : « quels autres lieux ressemblent à celui-ci ») ; ou, avec un dossier de modèle (le modèle avec lequel le raster a été encodé), une liste d'espèces saisie sous la forme « Nom 1; Nom 2=recouvrement » (encodée par l'encodeur de relevés du modèle : « où cette communauté trouve-t-elle sa place »), ou des relevés d'une couche désignés par leurs identifiants de placette (la moyenne de leurs encodages). Un raster créé sans l'adaptateur de ce modèle est refusé, avec la raison ; pour un taxon inconnu du modèle, les noms connus les plus proches sont suggérés.

Seuil (facultatif, de -1 à 1) : la surface où la similarité atteint ou dépasse le seuil est comptée et donnée en km² (AREA_ABOVE_KM2). La carte est un GeoTIFF optimisé pour le cloud avec la requête et les statistiques dans ses métadonnées, chargé avec une rampe divergente : bleu -1, blanc 0, rouge 1. L'outil interactif (BotaCLIP &gt; Trouver des lieux similaires) fait de même dans la vue cartographique, d'un clic.</translation>
    </message>
    <message>
      <source>Maps where taxa would find their habitat, without any observation points: the model's relevé encoder places each taxon alone in the shared space, and every pixel of the embedding raster gets its cosine similarity to it (-1 to 1), one band per taxon.

Model folder: the model the embedding raster was made with (its adapter); another raster is refused with the reason. Taxa: names separated by ';' (names the model does not know are refused, with the nearest known names suggested), or All: every taxon of the model.

Expected community: two more bands, the expected richness (soft retrieval over the model's training relevés, with the temperature fitted on its validation split) and the most likely taxon per pixel, named in the legend.</source>
      <translation type="obsolete">Cartographie où les taxons trouveraient leur habitat, sans aucun point d'observation : l'encodeur de relevés du modèle place chaque taxon seul dans l'espace partagé, et chaque pixel du raster de plongements reçoit sa similarité cosinus avec lui (-1 à 1), une bande par taxon.

Dossier du modèle : le modèle avec lequel le raster de plongements a été créé (son adaptateur) ; un autre raster est refusé, avec la raison. Taxons : noms séparés par « ; » (les noms inconnus du modèle sont refusés, avec suggestion des noms connus les plus proches), ou Tous : chaque taxon du modèle.

Communauté attendue : deux bandes de plus, la richesse attendue (recherche souple parmi les relevés d'entraînement du modèle, avec la température ajustée sur son jeu de validation) et le taxon le plus probable par pixel, nommé dans la légende.</translation>
    </message>
    <message>
      <source>Folder holding the backbone weights (.pth or .safetensors files). Empty: the default folder shown. BotaCLIP never downloads weights by itself.</source>
      <translation type="obsolete">Dossier contenant les poids des backbones (fichiers .pth ou .safetensors). Vide : le dossier par défaut affiché. BotaCLIP ne télécharge jamais de poids de lui-même.</translation>
    </message>
  </context>
</TS>
