"""Models: the DOFA backbone (dofa.py) and its weight files (weights.py).

Import the submodules directly; nothing is imported here so that importing the package stays
cheap (torch loads only when a model is needed; timm only for the timm backbone).
"""
