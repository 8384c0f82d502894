#!/bin/sh
# Train this experiment with the PyTorch reference: run from a checkout of
# https://github.com/sapientinc/HRM (its requirements installed, on GPUs).
# note: train.ema: sapientinc/HRM keeps no EMA of the weights; its checkpoints hold the raw weights
# note: global_batch_size is split over the GPUs (8 here: change --nproc-per-node); the reference computes in bfloat16 (forward_dtype)
OMP_NUM_THREADS=8 torchrun --nproc-per-node 8 pretrain.py \
  arch=hrm_v1 arch.H_cycles=2 arch.L_cycles=2 arch.H_layers=1 arch.L_layers=1 arch.hidden_size=32 arch.num_heads=2 arch.expansion=4 arch.pos_encodings=rope arch.halt_max_steps=4 arch.halt_exploration_prob=0.1 arch.loss.loss_type=stablemax_cross_entropy arch.puzzle_emb_ndim=32 data_path=data global_batch_size=64 epochs=64 eval_interval=16 lr=0.003 lr_min_ratio=1 lr_warmup_steps=50 weight_decay=1 beta1=0.9 beta2=0.95 puzzle_emb_lr=0.01 puzzle_emb_weight_decay=0.1 +seed=0
