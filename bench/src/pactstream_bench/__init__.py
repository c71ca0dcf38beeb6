"""Benchmarks of Pactstream against the limit of each layer and against a peer, all in
one run on one machine, so figures are compared as ratios rather than absolutes."""
