"""ember.utils.model_zoo (torch.utils.model_zoo): load_url is ember.hub.load_state_dict_from_url;
tqdm is here because torchvision-era code imports it from this module."""
from ..hub import load_state_dict_from_url as load_url, tqdm  # noqa: F401
