# IPython startup file for the kernels that run the lesson notebooks in tests and when their
# stored outputs are regenerated: deprecations in the notebooks' own code, or in the libraries
# the lesson teaches, are errors, so outdated calls (such as get_all_items) fail at once.
import warnings

for _category in (DeprecationWarning, FutureWarning):
    warnings.filterwarnings("error", category=_category, module="__main__")
    warnings.filterwarnings(
        "error",
        category=_category,
        module=r"(pystac|pystac_client|rioxarray|shapely|helpers)(\.|$)",
    )
del _category
