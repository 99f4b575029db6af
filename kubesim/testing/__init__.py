"""Running a sandbox cluster from synchronous code (pytest, the console, the benchmarks) on a
background thread."""
