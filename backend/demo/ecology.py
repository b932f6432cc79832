"""What lives in the synthetic landscape: relevé taxa, butterflies and soil nematodes.

Each taxon has a habitat affinity and Gaussian responses to elevation and moisture, so
composition differs between habitats and also changes along the gradients inside each one.
The names are real alpine, subalpine and montane plants and butterflies; their niches are
plausible, simplified and entirely made up for the demo.
"""

from __future__ import annotations

import numpy as np

from ..releves import BRAUN_BLANQUET_PERCENT
from .landscape import BROADLEAF, CONIFER, GRASSLAND, LAKE, SCREE, WETLAND

_H = {"B": BROADLEAF, "C": CONIFER, "G": GRASSLAND, "S": SCREE, "W": WETLAND}

# name, habitat affinities (B broadleaf, C conifer, G grassland, S scree, W wetland),
# elevation optimum and tolerance (m), moisture optimum and tolerance (0..1), top cover (%)
TAXA = [
    ("Picea abies", "C1 B.3 G.05 W.05", 1650, 280, .35, .25, 65),
    ("Larix decidua", "C.7 G.15", 1900, 200, .30, .25, 40),
    ("Pinus cembra", "C.5 G.05", 2000, 160, .30, .25, 35),
    ("Abies alba", "C.5 B.4", 1450, 180, .40, .20, 40),
    ("Fagus sylvatica", "B1 C.1", 1300, 170, .35, .20, 70),
    ("Acer pseudoplatanus", "B.8 C.25", 1420, 240, .45, .22, 35),
    ("Sorbus aucuparia", "B.5 C.5 G.1", 1650, 320, .35, .25, 12),
    ("Fraxinus excelsior", "B.6", 1280, 160, .55, .20, 25),
    ("Alnus alnobetula", "G.3 W.25 C.2", 1900, 220, .60, .20, 40),
    ("Vaccinium myrtillus", "C1 G.35 B.15", 1800, 300, .35, .25, 45),
    ("Vaccinium vitis-idaea", "C.6 G.35", 1900, 250, .30, .20, 20),
    ("Oxalis acetosella", "C.7 B.6", 1450, 250, .50, .20, 15),
    ("Prenanthes purpurea", "B.5 C.45", 1450, 250, .40, .20, 6),
    ("Luzula sylvatica", "C.5 B.4", 1550, 280, .45, .22, 25),
    ("Homogyne alpina", "C.7 G.3", 1850, 220, .45, .22, 8),
    ("Galium odoratum", "B.8", 1250, 170, .45, .20, 25),
    ("Mercurialis perennis", "B.6", 1250, 170, .50, .20, 30),
    ("Anemone nemorosa", "B.6 C.1", 1300, 200, .45, .20, 20),
    ("Dryopteris filix-mas", "B.5 C.35", 1400, 250, .55, .20, 15),
    ("Rhododendron ferrugineum", "C.45 G.45", 2000, 170, .40, .22, 45),
    ("Calamagrostis villosa", "C.6 G.2", 1800, 220, .45, .22, 35),
    ("Maianthemum bifolium", "C.5 B.3", 1500, 260, .40, .20, 6),
    ("Hepatica nobilis", "B.5", 1300, 180, .35, .20, 6),
    ("Lonicera nigra", "C.3 B.3", 1500, 250, .45, .22, 6),
    ("Nardus stricta", "G1 W.1", 1950, 230, .40, .22, 50),
    ("Carex curvula", "G.6 S.35", 2250, 130, .35, .20, 45),
    ("Sesleria caerulea", "G.8 S.4", 2050, 220, .25, .20, 40),
    ("Festuca rubra", "G.8 W.1", 1600, 280, .45, .22, 30),
    ("Anthoxanthum odoratum", "G.8", 1650, 300, .40, .22, 15),
    ("Trifolium alpinum", "G.8", 2050, 170, .35, .20, 18),
    ("Geum montanum", "G.8 S.1", 2100, 170, .35, .20, 10),
    ("Gentiana acaulis", "G.6", 2000, 200, .35, .20, 5),
    ("Leontodon hispidus", "G.7", 1700, 280, .40, .22, 10),
    ("Potentilla aurea", "G.7", 1950, 200, .40, .20, 8),
    ("Arnica montana", "G.6", 1800, 220, .35, .20, 8),
    ("Campanula scheuchzeri", "G.6 S.1", 1950, 250, .40, .22, 4),
    ("Alchemilla alpina", "G.6 S.3", 2100, 200, .30, .22, 15),
    ("Poa alpina", "G.7 S.2", 2050, 220, .50, .22, 12),
    ("Phleum rhaeticum", "G.6", 1800, 230, .50, .20, 10),
    ("Trollius europaeus", "G.5 W.35", 1750, 250, .60, .20, 10),
    ("Dactylis glomerata", "G.7", 1350, 180, .45, .20, 25),
    ("Trisetum flavescens", "G.7", 1450, 200, .50, .20, 25),
    ("Carex sempervirens", "G.8 S.3", 2050, 200, .25, .20, 40),
    ("Helianthemum nummularium", "G.5 S.1", 1750, 250, .20, .18, 10),
    ("Dryas octopetala", "S.8 G.3", 2200, 150, .25, .20, 45),
    ("Saxifraga oppositifolia", "S.8", 2280, 120, .35, .22, 8),
    ("Silene acaulis", "S.7 G.3", 2250, 130, .30, .20, 10),
    ("Linaria alpina", "S.9", 2220, 140, .30, .22, 5),
    ("Noccaea rotundifolia", "S.7", 2250, 140, .35, .22, 5),
    ("Salix retusa", "S.6 G.15", 2200, 150, .45, .22, 20),
    ("Oxyria digyna", "S.6", 2250, 140, .55, .20, 5),
    ("Doronicum grandiflorum", "S.6", 2200, 150, .40, .22, 5),
    ("Achillea atrata", "S.5", 2250, 140, .45, .22, 4),
    ("Cerastium latifolium", "S.6", 2250, 140, .35, .22, 4),
    ("Caltha palustris", "W1 G.1", 1700, 300, .75, .20, 30),
    ("Eriophorum angustifolium", "W1", 1850, 300, .85, .18, 40),
    ("Trichophorum cespitosum", "W.9", 1950, 250, .75, .20, 45),
    ("Carex nigra", "W1", 1750, 300, .80, .20, 45),
    ("Carex rostrata", "W.8", 1650, 250, .90, .15, 40),
    ("Parnassia palustris", "W.6 G.1", 1750, 300, .70, .20, 5),
    ("Juncus filiformis", "W.6", 1850, 250, .80, .20, 12),
    ("Menyanthes trifoliata", "W.6", 1550, 200, .90, .15, 25),
    ("Deschampsia cespitosa", "W.5 G.4", 1700, 300, .60, .20, 25),
    ("Pinguicula vulgaris", "W.5", 1800, 300, .75, .20, 3),
    ("Potentilla erecta", "G.6 W.5 C.2", 1750, 350, .55, .25, 10),
    ("Ranunculus montanus", "G.5 S.15", 2000, 220, .45, .22, 6),
]
TAXON_NAMES = [t[0] for t in TAXA]


def _affinity_matrix() -> np.ndarray:
    """(n_taxa, 7) affinity by habitat code (0 and lake stay 0)."""
    a = np.zeros((len(TAXA), 7))
    for i, t in enumerate(TAXA):
        for tok in t[1].split():
            a[i, _H[tok[0]]] = float(tok[1:])
    return a


_AFF = _affinity_matrix()
_EOPT = np.array([t[2] for t in TAXA], float)
_ETOL = np.array([t[3] for t in TAXA], float)
_MOPT = np.array([t[4] for t in TAXA], float)
_MTOL = np.array([t[5] for t in TAXA], float)
_CMAX = np.array([t[6] for t in TAXA], float)

MIN_RICHNESS, MAX_RICHNESS = 10, 35

# Braun-Blanquet code from a percentage cover: r rare, + few, 1 numerous but < 5 %, 2m very
# numerous < 5 %, then 2a 5-15, 2b 15-25, 3 25-50, 4 50-75, 5 75-100 %.
_BB_EDGES = np.array([0.15, 1.0, 2.5, 5.0, 15.0, 25.0, 50.0, 75.0])
BB_CODES = ("r", "+", "1", "2m", "2a", "2b", "3", "4", "5")


def bb_code(cover_pct: np.ndarray) -> np.ndarray:
    """Braun-Blanquet code (object array of str) for percentage covers."""
    return np.array(BB_CODES, dtype=object)[np.searchsorted(_BB_EDGES, cover_pct, "right")]


def niche_moisture(moisture) -> np.ndarray:
    """The landscape's moisture index (wetlands start near 0.47) on the niches' 0-1 scale."""
    return np.clip((np.asarray(moisture, float) - 0.05) / 0.6, 0.0, 1.0)


def expected_cover(habitat, elevation, moisture) -> np.ndarray:
    """(n_plots, n_taxa) expected percentage cover from the Gaussian niches."""
    h = np.asarray(habitat, dtype=int)
    e = np.asarray(elevation, float)[:, None]
    m = niche_moisture(moisture)[:, None]
    ge = np.exp(-0.5 * ((e - _EOPT) / _ETOL) ** 2)
    gm = np.exp(-0.5 * ((m - _MOPT) / _MTOL) ** 2)
    # a little spill-over from neighbouring habitats (mass effect) on top of the affinity
    aff = _AFF.T[h] + 0.12 * _AFF[:, 1:6].mean(axis=1)
    return _CMAX * aff * ge * gm


def sample_releves(habitat, elevation, moisture, rng: np.random.Generator):
    """Draw relevés: returns (codes, percent) arrays (n_plots, n_taxa); code '' = absent."""
    n = len(habitat)
    # each plot sees its environment with some local noise (micro-relief, history)
    e = np.asarray(elevation, float) + rng.normal(0.0, 35.0, n)
    m = np.clip(np.asarray(moisture, float) + rng.normal(0.0, 0.05, n), 0.0, 1.0)
    mu = expected_cover(habitat, e, m)
    mu = mu * np.exp(rng.normal(0.0, 0.35, mu.shape))  # taxon-in-plot variability
    p = 1.0 - np.exp(-mu / 1.0)
    present = rng.uniform(size=mu.shape) < p
    cover = mu * np.exp(rng.normal(0.0, 0.6, mu.shape))
    # keep richness in a realistic range: add the likeliest missing taxa, drop the rarest
    score = p + rng.uniform(0.0, 1e-6, p.shape)
    for i in range(n):
        k = int(present[i].sum())
        if k < MIN_RICHNESS:
            missing = np.flatnonzero(~present[i])
            add = missing[np.argsort(-score[i, missing])[:MIN_RICHNESS - k]]
            present[i, add] = True
            cover[i, add] = np.minimum(cover[i, add], rng.uniform(0.05, 0.9, add.size))
        elif k > MAX_RICHNESS:
            have = np.flatnonzero(present[i])
            drop = have[np.argsort(cover[i, have])[:k - MAX_RICHNESS]]
            present[i, drop] = False
    cover = np.clip(cover, 0.02, 95.0)
    codes = np.where(present, bb_code(cover), "")
    pct = np.zeros(mu.shape)
    for c, v in BRAUN_BLANQUET_PERCENT.items():
        pct[codes == c] = v
    return codes, pct


# ------------------------------------------------------------------ butterflies

# name, habitat affinities, elevation optimum and tolerance, top probability;
# 'E' is the forest edge (share of forest within ~50 m between 0 and 1)
BUTTERFLIES = [
    ("Parnassius apollo", "G.8 S.5", 1950, 250, 0.55),
    ("Erebia epiphron", "G1 S.2", 2100, 180, 0.6),
    ("Boloria pales", "G1 S.3", 2150, 170, 0.5),
    ("Coenonympha gardetta", "G1", 2000, 220, 0.6),
    ("Colias phicomone", "G.9 S.2", 2100, 200, 0.45),
    ("Aglais urticae", "G.6 W.5 B.3 C.3 S.3", 1800, 500, 0.55),
    ("Lycaena helle", "W1 G.1", 1700, 300, 0.7),
    ("Pararge aegeria", "E1 B.5 C.2", 1400, 250, 0.7),
]
BUTTERFLY_NAMES = [b[0] for b in BUTTERFLIES]


def sample_butterflies(habitat, elevation, forest_share, rng: np.random.Generator):
    """(n_points, n_species) int64 0/1 presence."""
    h = np.asarray(habitat, dtype=int)
    e = np.asarray(elevation, float)
    edge = 4.0 * forest_share * (1.0 - forest_share)
    out = np.zeros((len(h), len(BUTTERFLIES)), np.int64)
    for j, (_, aff, eopt, etol, pmax) in enumerate(BUTTERFLIES):
        a = np.zeros(len(h))
        for tok in aff.split():
            v = float(tok[1:])
            a = np.maximum(a, v * edge if tok[0] == "E" else v * (h == _H[tok[0]]))
        p = pmax * a * np.exp(-0.5 * ((e - eopt) / etol) ** 2)
        out[:, j] = rng.uniform(size=len(h)) < p
    return out


# ------------------------------------------------------------------ soil

SOIL_GROUPS = ["bacterivores", "fungivores", "plant_parasites", "omnivores", "predators"]
# mean nematodes per 100 g of soil by habitat, and how each group answers moisture (slope)
_SOIL_MEAN = {
    BROADLEAF: (600, 420, 150, 80, 30), CONIFER: (350, 520, 80, 50, 20),
    GRASSLAND: (900, 160, 620, 120, 40), SCREE: (120, 40, 40, 10, 4),
    WETLAND: (1200, 90, 200, 60, 25), LAKE: (0, 0, 0, 0, 0),
}
_SOIL_MOIST = np.array([1.2, -0.8, 0.2, 0.4, 0.4])


def sample_soil(habitat, moisture, rng: np.random.Generator):
    """(n_samples, 5) int64 counts per 100 g (negative binomial around the habitat means)."""
    h = np.asarray(habitat, dtype=int)
    m = np.asarray(moisture, float)[:, None]
    mean = np.array([_SOIL_MEAN[int(c)] for c in h], float)
    mean = mean * np.exp(_SOIL_MOIST * (m - 0.35))
    k = 2.5  # aggregation: counts are overdispersed
    lam = rng.gamma(k, np.maximum(mean, 1e-9) / k)
    return rng.poisson(lam).astype(np.int64)
