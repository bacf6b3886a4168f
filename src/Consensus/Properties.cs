using System.Runtime.CompilerServices;

// The tests exercise the portable 128/64 division fallback directly, since this machine takes the hardware path.
[assembly: InternalsVisibleTo("Bittensor.Ledger.Consensus.Tests")]
