using Bittensor.Ledger.Domain;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain;
using Bittensor.Ledger.Chain.Events;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Chain.Rpc;
using Bittensor.Ledger.Cli.Audit;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Chain;

/// <summary>
/// <c>ledger chain head|events|storage</c>: read a subtensor node and decode what it answers with the metadata of the
/// runtime each block ran under. Every subcommand takes <c>--url</c> (or <c>$LEDGER_CHAIN_URL</c>) and <c>--json</c>.
/// </summary>
public static class ChainCommand
{
    public const string UrlVariable = "LEDGER_CHAIN_URL";

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var command = new Command("chain", "Read a subtensor node (the head, a block's events, a storage value, an epoch); sync subnets into the ledger and audit their epochs.");
        command.Subcommands.Add(Head());
        command.Subcommands.Add(Events());
        command.Subcommands.Add(Storage());
        command.Subcommands.Add(Epoch());
        command.Subcommands.Add(ChainSyncCommand.Create());
        command.Subcommands.Add(ChainAuditCommand.Create());
        command.Subcommands.Add(ChainStatusCommand.Create());
        return command;
    }

    internal sealed record CommonOptions(Option<string?> Url, Option<bool> Json, Option<double> Timeout, Option<string?> CacheDir)
    {
        public static CommonOptions Create() => new(
            new Option<string?>("--url") { Description = $"The node's WebSocket URL (ws://… or wss://…). Default: ${UrlVariable}." },
            new Option<bool>("--json") { Description = "Machine-readable output." },
            new Option<double>("--timeout") { Description = "Seconds to wait for each answer.", DefaultValueFactory = _ => 30 },
            new Option<string?>("--cache-dir") { Description = "Where runtime metadata is kept, one file per spec version. Default: $LEDGER_CACHE_DIR, else ~/.cache/bittensor-ledger." });

        public void AddTo(Command command)
        {
            command.Options.Add(Url);
            command.Options.Add(Json);
            command.Options.Add(Timeout);
            command.Options.Add(CacheDir);
        }

        public async Task<ChainReader> ConnectAsync(ParseResult parse, CancellationToken ct)
        {
            var url = parse.GetValue(Url);
            if (string.IsNullOrWhiteSpace(url))
            {
                url = Environment.GetEnvironmentVariable(UrlVariable);
            }

            if (string.IsNullOrWhiteSpace(url))
            {
                throw new FieldErrorException("--url", $"no node given; pass --url ws://HOST:PORT or set ${UrlVariable}");
            }

            var seconds = parse.GetValue(Timeout);
            if (seconds is <= 0 or > 3600 || double.IsNaN(seconds))
            {
                throw new FieldErrorException("--timeout", "must be between 0 and 3600 seconds");
            }

            var options = new ChainRpcOptions { RequestTimeout = TimeSpan.FromSeconds(seconds) };
            var cache = new MetadataCache(parse.GetValue(CacheDir) is { Length: > 0 } dir ? dir : MetadataCache.DefaultDirectory());
            return await ChainReader.ConnectAsync(url, options, cache, ct).ConfigureAwait(false);
        }
    }

    private static Option<long> BlockOption() => new("--block") { Description = "The block number.", Required = true };

    private static Command Head()
    {
        var common = CommonOptions.Create();
        var command = new Command("head", "The node's chain, best and finalized blocks, and runtime spec version.");
        common.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var reader = await common.ConnectAsync(parse, ct).ConfigureAwait(false);
            var head = await reader.HeadAsync(ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(common.Json))
            {
                var json = new JsonObject
                {
                    ["chain"] = head.Chain,
                    ["best"] = new JsonObject { ["number"] = head.BestNumber, ["hash"] = head.BestHash },
                    ["finalized"] = new JsonObject { ["number"] = head.FinalizedNumber, ["hash"] = head.FinalizedHash },
                    ["spec_name"] = head.SpecName,
                    ["spec_version"] = head.SpecVersion,
                };
                await output.WriteLineAsync(json.ToJsonString(Indented).AsMemory(), ct).ConfigureAwait(false);
            }
            else
            {
                var console = ConsoleOutput.For(output);
                var grid = new Grid().AddColumns(2);
                grid.AddRow("chain", Markup.Escape(head.Chain));
                grid.AddRow("best", $"{head.BestNumber} {head.BestHash}");
                grid.AddRow("finalized", $"{head.FinalizedNumber} {head.FinalizedHash}");
                grid.AddRow("runtime", Markup.Escape($"{head.SpecName} spec {head.SpecVersion}"));
                console.Write(grid);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Events()
    {
        var common = CommonOptions.Create();
        var block = BlockOption();
        var command = new Command("events", "Every event record of a block, decoded; the table groups them by extrinsic.") { block };
        common.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var number = NonNegative(parse.GetValue(block), "--block");
            await using var reader = await common.ConnectAsync(parse, ct).ConfigureAwait(false);
            var events = await reader.EventsAsync(number, ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(common.Json))
            {
                // One record per line: a JSON array other tools can parse and people can diff.
                var lines = events.Records.Select(r => r.ToJson().ToJsonString(Compact));
                var text = events.Records.Count == 0 ? "[]" : "[\n" + string.Join(",\n", lines) + "\n]";
                await output.WriteLineAsync(text.AsMemory(), ct).ConfigureAwait(false);
            }
            else
            {
                EventTables(events, output);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Storage()
    {
        var common = CommonOptions.Create();
        var block = BlockOption();
        var pallet = new Argument<string>("PALLET") { Description = "The pallet, e.g. SubtensorModule." };
        var item = new Argument<string>("ITEM") { Description = "The storage item, e.g. Weights." };
        var keys = new Argument<string[]>("KEY") { Description = "Keys: SS58 addresses, integers or 0x hex. Fewer than the map has: list its entries.", Arity = ArgumentArity.ZeroOrMore };
        var limit = new Option<int>("--limit") { Description = "At most this many entries when listing a map.", DefaultValueFactory = _ => 100 };
        var command = new Command("storage", "One storage value (or a map's entries) at a block, decoded with that block's runtime.") { block, pallet, item, keys, limit };
        common.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var number = NonNegative(parse.GetValue(block), "--block");
            var max = parse.GetValue(limit);
            if (max is < 1 or > 100_000)
            {
                throw new FieldErrorException("--limit", "must be between 1 and 100000");
            }

            var keyTexts = parse.GetValue(keys) ?? [];
            await using var reader = await common.ConnectAsync(parse, ct).ConfigureAwait(false);
            var (at, values, truncated) = await ReadStorageAsync(reader, number, parse.GetValue(pallet)!, parse.GetValue(item)!, keyTexts, max, ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(common.Json))
            {
                await output.WriteLineAsync(StorageJson(at, values, truncated, keyTexts.Length).ToJsonString(Indented).AsMemory(), ct).ConfigureAwait(false);
            }
            else
            {
                StorageText(at, values, truncated, output);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Epoch()
    {
        var common = CommonOptions.Create();
        var block = BlockOption();
        var netuid = AuditCli.NetUidOption();
        netuid.Required = true;
        var command = new Command("epoch", "One subnet's epoch as the chain ran it in a block: the state before it, its outputs, the corrections of the block's initialization.") { block, netuid };
        common.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var number = NonNegative(parse.GetValue(block), "--block");
            if (number < 1)
            {
                throw new FieldErrorException("--block", "an epoch block has a block before it: must be 1 or more");
            }

            var subnet = AuditCli.NetUid(parse, netuid)!.Value.Value;
            await using var reader = await common.ConnectAsync(parse, ct).ConfigureAwait(false);
            var epoch = await new ObservedEpochReader(reader).ReadAsync(number, subnet, ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(common.Json))
            {
                await output.WriteLineAsync(EpochJson(epoch).ToJsonString(Indented).AsMemory(), ct).ConfigureAwait(false);
            }
            else
            {
                EpochText(epoch, output);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static JsonObject EpochJson(ObservedEpoch epoch) => new()
    {
        ["block"] = epoch.Block.Number,
        ["hash"] = epoch.Block.Hash,
        ["spec_version"] = epoch.Block.SpecVersion,
        ["netuid"] = epoch.Netuid,
        ["mechanisms"] = epoch.Outputs.Mechanisms,
        ["runtime_upgrade"] = epoch.RuntimeUpgrade,
        ["excluded_uids"] = new JsonArray([.. epoch.ExcludedUids.Select(u => (JsonNode)u)]),
        ["miner_emissions"] = new JsonArray([.. epoch.MinerEmissions.Select(m => (JsonNode)new JsonObject
        {
            ["mechanism"] = m.Subnet.Mechanism,
            ["emissions"] = new JsonArray([.. m.Emissions.Select(e => (JsonNode)JsonValue.Create(e))]),
        })]),
        ["inputs"] = Items(epoch.Inputs, output: false),
        ["revealed_weights"] = new JsonArray([.. epoch.RevealedWeights.Select(r => (JsonNode)Entry(r))]),
        ["commits_before_block"] = new JsonArray([.. epoch.CommitsBeforeBlock().Select(c => (JsonNode)new JsonObject
        {
            ["item"] = c.Read.Item.Name,
            ["keys"] = new JsonArray([.. c.Read.Read.KeyParts.Select(k => k?.DeepClone())]),
            ["entries"] = c.Entries.DeepClone(),
        })]),
        ["outputs"] = Items(epoch.Outputs, output: true),
        ["missing_items"] = new JsonArray([.. epoch.Outputs.Missing.Select(m => (JsonNode)m)]),
    };

    /// <summary>The items of one side, keyed <c>Item</c> (or <c>Item/mechanism</c>): a value, or a map's entries.</summary>
    private static JsonObject Items(SubnetEpochState state, bool output)
    {
        var json = new JsonObject();
        foreach (var group in state.Reads.Where(r => r.Item.Output == output).GroupBy(r => (r.Item, r.Mechanism)))
        {
            var (item, mechanism) = group.Key;
            var name = (item.Key == EpochKey.HotkeyRoot ? item.Name + "(root)" : item.Name) + (mechanism == 0 ? "" : $"/{mechanism}");
            json[name] = item.Key is EpochKey.Value or EpochKey.Netuid or EpochKey.Mechanism
                ? group.First().Read.Value?.DeepClone()
                : new JsonArray([.. group.Select(r => (JsonNode)Entry(r))]);
        }

        return json;
    }

    private static JsonObject Entry(EpochRead read) => new()
    {
        ["keys"] = new JsonArray([.. read.Read.KeyParts.Select(k => k?.DeepClone())]),
        ["value"] = read.Read.Value?.DeepClone(),
    };

    private static void EpochText(ObservedEpoch epoch, TextWriter output)
    {
        var inputs = epoch.Inputs;
        output.WriteLine($"subnet {epoch.Netuid}, epoch block {epoch.Block.Number} {epoch.Block.Hash} (spec {epoch.Block.SpecVersion}{(epoch.RuntimeUpgrade ? ", FIRST BLOCK OF A NEW RUNTIME" : "")})");
        output.WriteLine($"inputs (state at {inputs.Block.Number}): {inputs.Hotkeys().Count} uids, {inputs.Mechanisms} mechanism(s), " +
            $"tempo {Show(inputs, "Tempo")}, kappa {Show(inputs, "Kappa")}, yuma3 {Show(inputs, "Yuma3On")}, liquid alpha {Show(inputs, "LiquidAlphaOn")}, " +
            $"{inputs.Map("Weights").Count} weight rows, {inputs.Map("Bonds").Count} bond rows");
        output.WriteLine($"corrections from block {epoch.Block.Number}'s initialization: {epoch.RevealedWeights.Count} revealed weight rows, " +
            $"{epoch.CommitsBeforeBlock().Sum(c => c.Entries.Count)} pending commits");
        foreach (var m in epoch.MinerEmissions)
        {
            output.WriteLine($"miner emission, mechanism {m.Subnet.Mechanism}: {m.Emissions.Aggregate(0UL, (a, e) => a + e)} rao over {m.Emissions.Count} uids");
        }

        var outputs = epoch.Outputs;
        output.WriteLine($"outputs (state at {outputs.Block.Number}): Σ Emission {Sum(outputs, "Emission")} rao, Σ Incentive {Sum(outputs, "Incentive")}, Σ Dividends {Sum(outputs, "Dividends")}");
        output.WriteLine(epoch.ExcludedUids.Count == 0
            ? "no uid was touched by the block's extrinsics"
            : $"excluded uids (touched by the block's extrinsics): {string.Join(", ", epoch.ExcludedUids)}");
    }

    private static string Show(SubnetEpochState state, string item) => state.Value(item)?.ToJsonString(Compact) ?? "-";

    private static string Sum(SubnetEpochState state, string item) =>
        state.Value(item) is JsonArray values
            ? values.Aggregate(System.Numerics.BigInteger.Zero, (a, v) => a + System.Numerics.BigInteger.Parse(v!.ToJsonString().Trim('"'), CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture)
            : "-";

    private static async Task<(BlockRef, IReadOnlyList<StorageRead>, bool)> ReadStorageAsync(
        ChainReader reader, long number, string pallet, string item, IReadOnlyList<string> keys, int limit, CancellationToken ct)
    {
        try
        {
            return await reader.StorageAsync(number, pallet, item, keys, limit, ct).ConfigureAwait(false);
        }
        catch (UnknownStorageException e)
        {
            throw new FieldErrorException($"{pallet}.{item}", e.Message);
        }
        catch (FormatException e)
        {
            throw new FieldErrorException("KEY", e.Message);
        }
    }

    private static long NonNegative(long value, string option) =>
        value >= 0 ? value : throw new FieldErrorException(option, "must be 0 or more");

    private static void EventTables(BlockEvents events, TextWriter output)
    {
        var console = ConsoleOutput.For(output);
        console.WriteLine($"block {events.Block.Number} {events.Block.Hash} (spec {events.Block.SpecVersion}): {events.Records.Count} event records");
        foreach (var group in Consecutive(events.Records))
        {
            var phase = group[0].Phase;
            var title = phase.Extrinsic is { } n ? $"extrinsic {n}" : phase.Kind;
            var table = new Table { Title = new TableTitle(Markup.Escape($"{title} ({group.Count})")) }
                .AddColumns("#", "event", "fields");
            table.Columns[0].RightAligned();
            foreach (var record in group)
            {
                table.AddRow(
                    record.Index.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape($"{record.Pallet}.{record.Name}"),
                    Markup.Escape(Abbreviate(record.Fields.ToJsonString(Compact))));
            }

            console.Write(table);
        }
    }

    private static List<List<ChainEvent>> Consecutive(IReadOnlyList<ChainEvent> records)
    {
        var groups = new List<List<ChainEvent>>();
        foreach (var record in records)
        {
            if (groups.Count == 0 || groups[^1][0].Phase != record.Phase)
            {
                groups.Add([]);
            }

            groups[^1].Add(record);
        }

        return groups;
    }

    private static string Abbreviate(string text) => text.Length <= 400 ? text : text[..397] + "...";

    private static JsonObject StorageJson(BlockRef at, IReadOnlyList<StorageRead> values, bool truncated, int keysGiven)
    {
        var entry = values.Count > 0 ? values[0].Entry : null;
        var json = new JsonObject
        {
            ["block"] = at.Number,
            ["hash"] = at.Hash,
            ["spec_version"] = at.SpecVersion,
        };
        if (entry is not null && keysGiven == entry.Hashers.Count)
        {
            Describe(values[0], json);
            return json;
        }

        json["entries"] = new JsonArray([.. values.Select(v => (JsonNode)Describe(v, new JsonObject()))]);
        json["truncated"] = truncated;
        return json;
    }

    private static JsonObject Describe(StorageRead read, JsonObject json)
    {
        json["pallet"] = read.Entry.Pallet;
        json["item"] = read.Entry.Name;
        json["keys"] = new JsonArray([.. read.KeyParts.Select(k => k?.DeepClone())]);
        json["key"] = Hex.Encode(read.Key);
        json["raw"] = read.Raw is null ? null : Hex.Encode(read.Raw);
        json["absent"] = read.Raw is null;
        json["value"] = read.Value?.DeepClone();
        return json;
    }

    private static void StorageText(BlockRef at, IReadOnlyList<StorageRead> values, bool truncated, TextWriter output)
    {
        output.WriteLine($"block {at.Number} {at.Hash} (spec {at.SpecVersion})");
        foreach (var read in values)
        {
            var keys = string.Join(", ", read.KeyParts.Select(k => k?.ToJsonString(Compact) ?? "?"));
            var absent = read.Raw is null ? (read.Entry.IsOptional ? " (absent)" : " (absent: the metadata default)") : "";
            output.WriteLine($"{read.Entry.Pallet}.{read.Entry.Name}({keys}) = {read.Value?.ToJsonString(Compact) ?? "null"}{absent}");
        }

        if (values.Count == 0)
        {
            output.WriteLine("no entries under these keys");
        }

        if (truncated)
        {
            output.WriteLine($"... more entries; raise --limit (now {values.Count}) to see them");
        }
    }
}
