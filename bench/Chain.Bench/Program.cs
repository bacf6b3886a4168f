using BenchmarkDotNet.Running;
using Bittensor.Ledger.Chain.Bench;

BenchmarkSwitcher.FromAssembly(typeof(DecodeBenchmarks).Assembly).Run(args);
