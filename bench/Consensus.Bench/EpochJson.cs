using System.Text.Json;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Consensus.Bench;

/// <summary>Writes a generated epoch as a `ledger yuma` input document (docs/yuma-json.md), for the CLI benchmark.</summary>
public static class EpochJson
{
    public static void Write(YumaInput input, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream);
        var hp = input.Hyperparameters;
        w.WriteStartObject();
        w.WriteNumber("current_block", input.CurrentBlock);
        w.WriteNumber("rao_emission", input.RaoEmission);
        w.WriteStartObject("hyperparameters");
        w.WriteNumber("tempo", hp.Tempo);
        w.WriteNumber("activity_cutoff", hp.ActivityCutoff);
        w.WriteNumber("stake_threshold", hp.StakeThreshold);
        if (hp.OwnerUid is ushort owner)
        {
            w.WriteNumber("owner_uid", owner);
        }
        else
        {
            w.WriteNull("owner_uid");
        }

        w.WriteNumber("max_allowed_validators", hp.MaxAllowedValidators);
        w.WriteNumber("kappa", hp.Kappa);
        w.WriteNumber("bonds_penalty", hp.BondsPenalty);
        w.WriteBoolean("yuma3", hp.Yuma3);
        w.WriteBoolean("liquid_alpha", hp.LiquidAlpha);
        w.WriteNumber("alpha_low", hp.AlphaLow);
        w.WriteNumber("alpha_high", hp.AlphaHigh);
        w.WriteNumber("alpha_sigmoid_steepness", hp.AlphaSigmoidSteepness);
        w.WriteNumber("bonds_moving_average", hp.BondsMovingAverage);
        w.WriteNumber("last_mechanism_step_block", hp.LastMechanismStepBlock);
        w.WriteEndObject();
        w.WriteStartObject("state");
        w.WriteNumber("n", input.N);
        Numbers("stake_alpha_rao", input.StakeAlphaRao);
        Numbers("block_at_registration", input.BlockAtRegistration);
        Numbers("last_update", input.LastUpdate);
        w.WriteStartArray("validator_permit");
        foreach (var p in input.ValidatorPermit)
        {
            w.WriteBooleanValue(p);
        }

        w.WriteEndArray();
        Rows("weights", input.Weights);
        Rows("bonds", input.Bonds);
        w.WriteEndObject();
        w.WriteEndObject();

        void Numbers(string name, ulong[] values)
        {
            w.WriteStartArray(name);
            foreach (var v in values)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
        }

        void Rows(string name, (ushort Col, ushort Val)[][] rows)
        {
            w.WriteStartArray(name);
            foreach (var row in rows)
            {
                w.WriteStartArray();
                foreach (var (col, val) in row)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(col);
                    w.WriteNumberValue(val);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
        }
    }
}
