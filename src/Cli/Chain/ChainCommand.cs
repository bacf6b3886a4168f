using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain;
using Bittensor.Ledger.Chain.Events;
using Bittensor.Ledger.Chain.Metadata;
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
        var command = new Command("chain", "Read a subtensor node: the head, a block's events, a storage value.");
        command.Subcommands.Add(Head());
        command.Subcommands.Add(Events());
        command.Subcommands.Add(Storage());
        return command;
    }

    private sealed record CommonOptions(Option<string?> Url, Option<bool> Json, Option<double> Timeout, Option<string?> CacheDir)
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
                throw new AuditCli.BadInputException("--url", $"no node given; pass --url ws://HOST:PORT or set ${UrlVariable}");
            }

            var seconds = parse.GetValue(Timeout);
            if (seconds is <= 0 or > 3600 || double.IsNaN(seconds))
            {
                throw new AuditCli.BadInputException("--timeout", "must be between 0 and 3600 seconds");
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
                throw new AuditCli.BadInputException("--limit", "must be between 1 and 100000");
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

    private static async Task<(BlockRef, IReadOnlyList<StorageRead>, bool)> ReadStorageAsync(
        ChainReader reader, long number, string pallet, string item, IReadOnlyList<string> keys, int limit, CancellationToken ct)
    {
        try
        {
            return await reader.StorageAsync(number, pallet, item, keys, limit, ct).ConfigureAwait(false);
        }
        catch (ChainMetadataException e)
        {
            throw new AuditCli.BadInputException($"{pallet}.{item}", e.Message);
        }
        catch (FormatException e)
        {
            throw new AuditCli.BadInputException("KEY", e.Message);
        }
    }

    private static long NonNegative(long value, string option) =>
        value >= 0 ? value : throw new AuditCli.BadInputException(option, "must be 0 or more");

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
