# Step 1 (PyTorch): save a layer's state_dict and a test input/output as safetensors.
import torch
from torch import nn

try:
    from safetensors.torch import save_file  # pip install safetensors
except ImportError:  # this repository's machines have torch without the safetensors wheel
    from safetensors_fallback import save_file

torch.manual_seed(0)
layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, dropout=0.0, batch_first=True).eval()
x = torch.randn(2, 5, 16)  # [B, T, E]
with torch.no_grad():
    y = layer(x)

save_file(layer.state_dict(), "encoder_layer.safetensors")  # self_attn.in_proj_weight, linear1.weight, ...
save_file({"x": x, "y": y}, "encoder_layer_io.safetensors")
