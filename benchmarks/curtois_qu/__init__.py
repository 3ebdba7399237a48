"""The shift-scheduling benchmark instances of Curtois and Qu (schedulingbenchmarks.org): reading them,
scoring and checking a roster as the benchmark defines it, and the plain CP-SAT model that is the baseline
of benchmarks.curtois."""
