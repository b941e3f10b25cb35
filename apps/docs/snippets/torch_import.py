# Step 3 (PyTorch): load the weights TensorZoo trained and check its output, bit for bit in float32 tolerance.
import torch
from torch import nn

try:
    from safetensors.torch import load_file  # pip install safetensors
except ImportError:  # this repository's machines have torch without the safetensors wheel
    from safetensors_fallback import load_file

layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, dropout=0.0, batch_first=True).eval()
layer.load_state_dict(load_file("encoder_layer_tuned.safetensors"))  # strict: every name must match
io = load_file("encoder_layer_tuned_io.safetensors")
with torch.no_grad():
    difference = (layer(io["x"]) - io["y"]).abs().max().item()
print(f"max |torch - tensorzoo| = {difference:.2e}")
assert difference < 1e-5, difference
