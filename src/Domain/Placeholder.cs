namespace Bittensor.Ledger.Domain;
