"""Reinforcement learning as in PyTorch's DQN tutorial: a toy corridor environment, a deque replay
memory of namedtuple Transitions sampled by a seeded random.Random, Huber loss on gathered Q values,
AdamW(amsgrad), clip_grad_value_, soft target updates through state_dict; then a PPO-style clipped
update of an actor-critic with Categorical(logits=...), normalised advantages and discounted returns."""
import math
import random
from collections import deque, namedtuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical

Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * 0.3 + 0.01 * i)


class Corridor:
    """Positions 0..4; action 0 steps left, 1 steps right; reaching 4 ends with reward 1."""

    def reset(self):
        self.pos = 1
        return self.observe()

    def observe(self):
        return [self.pos / 4.0, math.cos(self.pos), 1.0 if self.pos == 0 else 0.0]

    def step(self, action):
        self.pos = max(0, self.pos + (1 if action == 1 else -1))
        done = self.pos == 4
        reward = 1.0 if done else -0.05
        return self.observe(), reward, done


class ReplayMemory:
    def __init__(self, capacity, rng):
        self.memory = deque([], maxlen=capacity)
        self.rng = rng

    def push(self, *args):
        self.memory.append(Transition(*args))

    def sample(self, batch_size):
        return self.rng.sample(self.memory, batch_size)

    def __len__(self):
        return len(self.memory)


class DQN(nn.Module):
    def __init__(self, n_observations, n_actions):
        super().__init__()
        self.layer1 = nn.Linear(n_observations, 16)
        self.layer2 = nn.Linear(16, 16)
        self.layer3 = nn.Linear(16, n_actions)

    def forward(self, x):
        x = F.relu(self.layer1(x))
        x = F.relu(self.layer2(x))
        return self.layer3(x)


BATCH_SIZE, GAMMA, TAU, LR = 8, 0.9, 0.05, 1e-3
rng = random.Random(0)
policy_net, target_net = DQN(3, 2), DQN(3, 2)
init(policy_net)
target_net.load_state_dict(policy_net.state_dict())
optimizer = torch.optim.AdamW(policy_net.parameters(), lr=LR, amsgrad=True)
memory = ReplayMemory(100, rng)
steps_done = 0


def select_action(state):
    global steps_done
    eps_threshold = 0.05 + 0.85 * math.exp(-1.0 * steps_done / 30)
    steps_done += 1
    if rng.random() > eps_threshold:
        with torch.no_grad():
            return policy_net(state).max(1).indices.view(1, 1)
    return torch.tensor([[rng.randrange(2)]], dtype=torch.long)


def optimize_model():
    if len(memory) < BATCH_SIZE:
        return None
    batch = Transition(*zip(*memory.sample(BATCH_SIZE)))
    non_final_mask = torch.tensor(tuple(map(lambda s: s is not None, batch.next_state)),
                                  dtype=torch.bool)
    non_final_next_states = torch.cat([s for s in batch.next_state if s is not None])
    state_batch = torch.cat(batch.state)
    action_batch = torch.cat(batch.action)
    reward_batch = torch.cat(batch.reward)
    state_action_values = policy_net(state_batch).gather(1, action_batch)
    next_state_values = torch.zeros(BATCH_SIZE)
    with torch.no_grad():
        next_state_values[non_final_mask] = target_net(non_final_next_states).max(1).values
    expected = (next_state_values * GAMMA) + reward_batch
    loss = nn.SmoothL1Loss()(state_action_values, expected.unsqueeze(1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_value_(policy_net.parameters(), 100)
    optimizer.step()
    return loss.item()


env = Corridor()
for episode in range(6):
    state = torch.tensor(env.reset(), dtype=torch.float32).unsqueeze(0)
    losses, total = [], 0.0
    for t in range(15):
        action = select_action(state)
        observation, reward, done = env.step(action.item())
        total += reward
        reward = torch.tensor([reward])
        next_state = None if done else torch.tensor(observation,
                                                    dtype=torch.float32).unsqueeze(0)
        memory.push(state, action, next_state, reward)
        state = next_state
        loss = optimize_model()
        if loss is not None:
            losses.append(loss)
        target_net_state_dict = target_net.state_dict()
        policy_net_state_dict = policy_net.state_dict()
        for key in policy_net_state_dict:
            target_net_state_dict[key] = (policy_net_state_dict[key] * TAU
                                          + target_net_state_dict[key] * (1 - TAU))
        target_net.load_state_dict(target_net_state_dict)
        if done:
            break
    print(f"episode {episode} steps {t + 1} return {total:.3f} memory {len(memory)} "
          f"losses {[round(v, 6) for v in losses[-3:]]}")
probe = torch.tensor([[p / 4.0, math.cos(p), float(p == 0)] for p in range(5)])
with torch.no_grad():
    q = policy_net(probe)
    print("q values", [[round(v, 5) for v in row] for row in q.tolist()])
    print("greedy", q.max(1).indices.tolist(), "target", round(target_net(probe).sum().item(), 5))
last = Transition(*zip(*list(memory.memory)[-4:]))
print("last mask", torch.tensor(tuple(map(lambda s: s is not None, last.next_state))))
print("last actions", torch.cat(last.action).T, torch.cat(last.reward))
print("action dtype", select_action(probe[:1]).dtype, select_action(probe[:1]).shape)


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 16), nn.Tanh())
        self.actor = nn.Linear(16, 2)
        self.critic = nn.Linear(16, 1)

    def forward(self, x):
        h = self.body(x)
        return self.actor(h), self.critic(h).squeeze(-1)


def discounted(rewards, gamma=0.95):
    returns, running = [], 0.0
    for r in reversed(rewards):
        running = r + gamma * running
        returns.insert(0, running)
    return torch.tensor(returns)


ac = ActorCritic()
init(ac)
opt = torch.optim.Adam(ac.parameters(), lr=3e-3)
states = probe[[1, 2, 3, 2, 1, 2, 3]]
actions = torch.tensor([1, 1, 0, 1, 1, 1, 1])
returns = discounted([-0.05] * 6 + [1.0])
with torch.no_grad():
    old_logits, old_values = ac(states)
    old_log_probs = Categorical(logits=old_logits).log_prob(actions)
advantages = returns - old_values
advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
print("returns", [round(v, 5) for v in returns.tolist()])
clip_eps = 0.2
for epoch in range(4):
    logits, values = ac(states)
    dist = Categorical(logits=logits)
    log_probs = dist.log_prob(actions)
    ratio = torch.exp(log_probs - old_log_probs)
    surr1 = ratio * advantages
    surr2 = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantages
    actor_loss = -torch.min(surr1, surr2).mean()
    critic_loss = F.mse_loss(values, returns)
    entropy = dist.entropy().mean()
    loss = actor_loss + 0.5 * critic_loss - 0.01 * entropy
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(ac.parameters(), 0.5)
    opt.step()
    print(f"ppo {epoch} actor {actor_loss.item():.6f} critic {critic_loss.item():.6f} "
          f"entropy {entropy.item():.6f} ratio {ratio.mean().item():.6f}")
print("probs", [[round(v, 5) for v in row] for row in dist.probs.tolist()])
# A Q(s, a) critic on state-action pairs, written NumPy-style (axis=, keepdims=) as ported code is.
q_critic = nn.Linear(5, 1)
init(q_critic)
state_action = torch.cat([states, F.one_hot(actions, 2).float()], axis=1)
q_sa = q_critic(state_action)[:, 0]
centred = q_sa.unsqueeze(1) - q_sa.mean(axis=0, keepdims=True)
print("critic", state_action.shape, [round(v, 5) for v in centred.flatten().tolist()],
      round(state_action.max(axis=0, keepdims=True).values.sum().item(), 5))
