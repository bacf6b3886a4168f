using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Tests.Replay;

namespace Bittensor.Ledger.Chain.Tests.Rpc;

/// <summary>The replay node's matching of requests to recordings.</summary>
public class ReplayRecordingsTests
{
    [Theory]
    [InlineData("chain_getHeader", "[\"0xABCD\", null]", "[\"0xabcd\"]")]
    [InlineData("chain_getHeader", "[null]", "[]")]
    [InlineData("state_call", "[\"M_f\",\"0e001d00\",null]", "[\"M_f\",\"0x0e001d00\"]")]
    [InlineData("state_call", "[\"M_f\", \"\"]", "[\"M_f\",\"0x\"]")]
    [InlineData("state_getKeysPaged", "[\"0x01\",  100 , null, \"0x02\"]", "[\"0x01\",100,null,\"0x02\"]")]
    [InlineData("state_queryStorageAt", "[[\"0xAA\", \"0xbb\"], \"0x02\"]", "[[\"0xaa\",\"0xbb\"],\"0x02\"]")]
    public void Params_are_compared_in_a_canonical_form(string method, string parameters, string canonical) =>
        ReplayRecordings.Canonical(method, JsonNode.Parse(parameters)).ShouldBe(canonical);

    [Fact]
    public void State_getStorageAt_recordings_answer_state_getStorage_requests()
    {
        var recordings = new ReplayRecordings().AddResult("state_getStorageAt", "[\"0x01\", \"0x02\"]", "\"0x2a\"");

        recordings.TryFind("state_getStorage", JsonNode.Parse("[\"0x01\",\"0x02\"]"), out var response).ShouldBeTrue();
        response.GetProperty("result").GetString().ShouldBe("0x2a");
        recordings.TryFind("state_getStorage", JsonNode.Parse("[\"0x01\",\"0x03\"]"), out _).ShouldBeFalse();
    }

    [Fact]
    public void The_block_recordings_file_loads_every_entry()
    {
        var recordings = ReplayRecordings.FromFile(Fixtures.ChainFile("block-7959635-recordings.json"));

        recordings.Count.ShouldBe(7);
    }

    [Fact]
    public void A_missing_sdk_section_is_named()
    {
        Should.Throw<KeyNotFoundException>(() =>
                ReplayRecordings.FromSection(Fixtures.ChainFile("sdk-recordings.json"), "no_such_test"))
            .Message.ShouldContain("no_such_test");
    }
}
