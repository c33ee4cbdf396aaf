"""The article experiment (seed 002): the `NeuralNetwork`, its BN backends, and the 8-row table.

- `network`: the article's `NeuralNetwork` class (784-128-128-128-10, `is_training`, UPDATE_OPS);
- `backends`: the three ways of writing its BN (`layers`, `moments_ema`, `assign`, plus `none`);
- `replay`: the network's layers replayed from their variables (the fast loop, population statistics);
- `fast_loop`: the in-graph training loop (`train(fast=True)`, `tf1-bn table --solo`);
- `stacked`, `batched_loop`: all networks of a table trained together in one graph (the table's default);
- `population`: the paper's population statistics (Algorithm 2) instead of moving averages;
- `experiment`: the configurations and `train_and_test`; `table`: verdicts and CSV; `plots`;
- `bench`: steps per second and percent of the compute bound; `pitfalls`: the classic BN mistakes, measured.
"""
