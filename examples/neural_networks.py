"""The 60-minute blitz "Neural Networks" tutorial, run on ember: only the import lines differ."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim


class Net(nn.Module):
    """LeNet for 32x32 single-channel inputs: two conv + max-pool stages, three linear layers."""

    def __init__(self):
        super(Net, self).__init__()
        # 1 input channel, 6 output channels, 3x3 square convolution kernel.
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        # y = Wx + b; 6x6 is the spatial size left after the two conv/pool stages.
        self.fc1 = nn.Linear(16 * 6 * 6, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # Max pooling over a (2, 2) window; a single number means a square window.
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        size = x.size()[1:]  # all dimensions except the batch dimension
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


net = Net()
print(net)

# The learnable parameters: a weight and a bias per layer.
params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight

input = torch.randn(1, 1, 32, 32)
out = net(input)
print(out)

# Zero the gradient buffers of all parameters, then backprop random gradients.
net.zero_grad()
out.backward(torch.randn(1, 10))

# Loss function: mean squared error against a dummy target of the output's shape.
output = net(input)
target = torch.randn(10)
target = target.view(1, -1)
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)

# Walking the graph backwards from the loss.
print(loss.grad_fn)  # MSELoss
print(loss.grad_fn.next_functions[0][0])  # Linear
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

# Backprop: clear the existing gradients first, else they accumulate.
net.zero_grad()
print('conv1.bias.grad before backward')
print(net.conv1.bias.grad)
loss.backward()
print('conv1.bias.grad after backward')
print(net.conv1.bias.grad)

# Update the weights by hand: weight = weight - learning_rate * gradient.
learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)

# The same update with the optim package.
optimizer = optim.SGD(net.parameters(), lr=0.01)

# In the training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # does the update
print(f"loss after one SGD step: {criterion(net(input), target).item():.4f}")
