using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Domain.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Bittensor.Ledger.Api;

/// <summary>How an answer leaves: JSON bytes with an ETag (a strong hash of the bytes, so <c>If-None-Match</c> gets a
/// 304 without a body) and Cache-Control: answers about a closed epoch may be cached, the rest must revalidate;
/// paging of a report's list; and query parameters parsed to the same <c>parameter: reason</c> the CLI prints.</summary>
internal static class Answers
{
    // Compact: a hotkey's 1,000 epochs are half the bytes and a third less time to write than indented (bench/Api.Bench).
    private static readonly JsonSerializerOptions Compact = new(ApiJson.Options)
    {
        // τ and α as themselves, not \u03B1: the answer is UTF-8 JSON, never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>An epoch, once closed, never changes: an hour's caching is safe (a ledger reset changes the ETag).</summary>
    public const int ClosedEpochSeconds = 3600;

    public static IResult Json(JsonNode node, int? maxAgeSeconds = null, int statusCode = StatusCodes.Status200OK) =>
        new JsonAnswer(Prepare(Bytes(node)), maxAgeSeconds, statusCode);

    /// <summary>An answer already written as UTF-8 JSON (<see cref="EmissionsJson"/>), with its ETag.</summary>
    public static IResult Json(AnswerCache.Answer answer) => new JsonAnswer(answer, null, StatusCodes.Status200OK);

    /// <summary>The bytes and their ETag: a strong hash of the bytes.</summary>
    public static AnswerCache.Answer Prepare(byte[] utf8) =>
        new(utf8, "\"" + Convert.ToBase64String(SHA256.HashData(utf8).AsSpan(0, 16)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"");

    /// <summary>The bytes <see cref="Json(JsonNode, int?, int)"/> sends for <paramref name="node"/>.</summary>
    internal static byte[] Bytes(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Compact);

    /// <summary>Cuts <paramref name="array"/> of <paramref name="root"/> to one page and says where the next begins.</summary>
    public static JsonNode Page(JsonNode root, string array, Paging paging)
    {
        var obj = root.AsObject();
        var items = obj[array]!.AsArray();
        var total = items.Count;
        var page = new JsonArray();
        foreach (var item in items.Skip(paging.Offset).Take(paging.Limit).ToList())
        {
            items.Remove(item);
            page.Add(item);
        }

        obj[array] = page;
        return Paged(root, paging, total);
    }

    /// <summary>Says where the next page begins, for an answer the query already cut to <paramref name="paging"/>
    /// (the limit in its SQL) out of <paramref name="total"/> rows.</summary>
    public static JsonNode Paged(JsonNode root, Paging paging, long total)
    {
        root.AsObject()["paging"] = new JsonObject { ["offset"] = paging.Offset, ["limit"] = paging.Limit, ["total"] = total, ["next_offset"] = paging.NextOffset(total) };
        return root;
    }

    public static Hotkey? Hotkey(string? text) => text is null ? null
        : Domain.Primitives.Hotkey.TryParse(text, out var key, out var reason) ? key : throw new Problems.BadParameterException("hotkey", reason);

    public static Coldkey? Coldkey(string? text) => text is null ? null
        : Domain.Primitives.Coldkey.TryParse(text, out var key, out var reason) ? key : throw new Problems.BadParameterException("coldkey", reason);

    public static NetUid NetUid(int netuid) => netuid is >= 0 and <= ushort.MaxValue
        ? new NetUid((ushort)netuid)
        : throw new Problems.BadParameterException("netuid", "must be between 0 and 65535");

    public static NetUid? NetUid(int? netuid) => netuid is { } n ? NetUid(n) : null;

    public static Uid Uid(int uid, string name = "uid") => uid is >= 0 and <= ushort.MaxValue
        ? new Uid((ushort)uid)
        : throw new Problems.BadParameterException(name, "must be between 0 and 65535");

    /// <summary>Blocks are PostgreSQL bigint in the ledger: larger values are bad input, as in the CLI.</summary>
    public static ulong? Block(ulong? block, string name) => block is > long.MaxValue
        ? throw new Problems.BadParameterException(name, $"must be at most {long.MaxValue}")
        : block;

    private sealed class JsonAnswer(AnswerCache.Answer answer, int? maxAgeSeconds, int statusCode) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var (bytes, etag) = answer;
            var response = httpContext.Response;
            response.Headers.ETag = etag;
            response.Headers.CacheControl = maxAgeSeconds is { } s ? $"public, max-age={s}" : "no-cache";
            var ifNoneMatch = httpContext.Request.Headers.IfNoneMatch;
            if (ifNoneMatch.Count > 0 && EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags) && tags.Any(t => t.Tag == etag || t.Tag == "*"))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.StatusCode = statusCode;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}

/// <summary><c>limit</c> (default and maximum from <see cref="LedgerApiOptions"/>) and <c>offset</c> of a list.</summary>
internal readonly record struct Paging(int Offset, int Limit)
{
    /// <summary>The page for a query that reads it in SQL (Application's RowPage).</summary>
    public Application.Audit.RowPage Rows => new(Offset, Limit);

    /// <summary>Where the page after this one begins, or null when this one reaches the end of <paramref name="total"/> rows.</summary>
    public int? NextOffset(long total) => Offset + Limit < total ? Offset + Limit : null;

    public static Paging From(int? limit, int? offset, LedgerApiOptions options)
    {
        var l = limit ?? Math.Min(options.DefaultPageSize, options.MaxPageSize);
        if (l < 1 || l > options.MaxPageSize)
        {
            throw new Problems.BadParameterException("limit", $"must be between 1 and {options.MaxPageSize}");
        }

        var o = offset ?? 0;
        return o < 0 ? throw new Problems.BadParameterException("offset", "must not be negative") : new Paging(o, l);
    }
}
