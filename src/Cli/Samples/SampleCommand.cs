using System.CommandLine;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Samples;

namespace Bittensor.Ledger.Cli.Samples;

/// <summary><c>ledger sample [--out FILE] [--seed N] [--blocks N] [--subnets N] [--profile default|mainnet-day]</c>: writes a deterministic sample chain as NDJSON.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var defaults = new SampleOptions();
        var output = new Option<FileInfo>("--out") { Description = "NDJSON file to write", DefaultValueFactory = _ => new FileInfo("samples/sample-chain.ndjson") };
        var seed = new Option<int>("--seed") { Description = "random seed (same seed, same bytes)", DefaultValueFactory = _ => defaults.Seed };
        var blocks = new Option<int>("--blocks") { Description = "number of blocks after genesis", DefaultValueFactory = _ => defaults.Blocks };
        var subnets = new Option<int?>("--subnets") { Description = $"number of subnets (1..{SampleChain.MaxSubnets}); default 3, or 128 with --profile mainnet-day" };
        var profile = new Option<string>("--profile") { Description = "default or mainnet-day (128 subnets × 256 uids, ≈ 20 epochs a day each)", DefaultValueFactory = _ => "default" };
        var command = new Command("sample", "Write a deterministic, realistic sample chain (NDJSON import format) that passes every ledger rule.")
        {
            output, seed, blocks, subnets, profile,
        };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(output)!;
            var name = parse.GetValue(profile);
            SampleOptions options;
            if (name == "mainnet-day")
            {
                var day = SampleOptions.MainnetDay(parse.GetValue(seed));
                options = day with
                {
                    Subnets = parse.GetValue(subnets) ?? day.Subnets,
                    Blocks = parse.GetResult(blocks) is { Implicit: false } ? parse.GetValue(blocks) : day.Blocks,
                };
            }
            else if (name == "default")
            {
                options = new SampleOptions { Seed = parse.GetValue(seed), Blocks = parse.GetValue(blocks), Subnets = parse.GetValue(subnets) ?? defaults.Subnets };
            }
            else
            {
                Console.Error.WriteLine("sample: --profile must be default or mainnet-day");
                return ExitCodes.BadInput;
            }

            if (options.Blocks < 1 || options.Subnets is < 1 or > SampleChain.MaxSubnets)
            {
                Console.Error.WriteLine($"sample: --blocks must be at least 1 and --subnets 1..{SampleChain.MaxSubnets}");
                return ExitCodes.BadInput;
            }

            file.Directory?.Create();
            long count;
            using (var stream = file.Create())
            {
                count = NdjsonCodec.WriteAll(stream, SampleChain.Generate(options));
            }

            Console.WriteLine($"wrote {count} events to {file.FullName} (seed {options.Seed}, {options.Blocks} blocks, {options.Subnets} subnets)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
