using System.Buffers.Binary;
using System.Security.Cryptography;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Domain.Epochs;

/// <summary>The input digest recorded with every derived event: hex SHA-256 over a canonical little-endian encoding of
/// everything the epoch read (every mechanism's input, in field order, and the emission it distributed), so an
/// auditor who rebuilds the inputs from the events can show they are the ones the ledger used.</summary>
public static class EpochDigest
{
    public static string Compute(IReadOnlyList<YumaInput> mechanisms, ulong raoEmission)
    {
        ArgumentNullException.ThrowIfNull(mechanisms);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[8];
        void U64(ulong v)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, v);
            hash.AppendData(buffer);
        }

        U64(raoEmission);
        U64((ulong)mechanisms.Count);
        foreach (var input in mechanisms)
        {
            var h = input.Hyperparameters;
            U64(input.CurrentBlock);
            U64(h.Tempo);
            U64(h.ActivityCutoff);
            U64(h.StakeThreshold);
            U64(h.OwnerUid is { } owner ? owner + 1UL : 0UL);
            U64(h.MaxAllowedValidators);
            U64(h.Kappa);
            U64(h.BondsPenalty);
            U64(h.Yuma3 ? 1UL : 0UL);
            U64(h.LiquidAlpha ? 1UL : 0UL);
            U64(h.AlphaLow);
            U64(h.AlphaHigh);
            U64(unchecked((ulong)h.AlphaSigmoidSteepness));
            U64(h.BondsMovingAverage);
            U64(h.LastMechanismStepBlock);
            U64((ulong)input.N);
            foreach (var v in input.StakeAlphaRao)
            {
                U64(v);
            }

            foreach (var v in input.BlockAtRegistration)
            {
                U64(v);
            }

            foreach (var v in input.LastUpdate)
            {
                U64(v);
            }

            foreach (var v in input.ValidatorPermit)
            {
                U64(v ? 1UL : 0UL);
            }

            Rows(input.Weights);
            Rows(input.Bonds);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());

        void Rows((ushort Col, ushort Val)[][] rows)
        {
            U64((ulong)rows.Length);
            foreach (var row in rows)
            {
                U64((ulong)row.Length);
                foreach (var (col, val) in row)
                {
                    U64(((ulong)col << 16) | val);
                }
            }
        }
    }
}
