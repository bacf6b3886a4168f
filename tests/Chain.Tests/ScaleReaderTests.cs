using System.Numerics;
using Bittensor.Ledger.Chain.Scale;

namespace Bittensor.Ledger.Chain.Tests;

public class ScaleReaderTests
{
    private static ScaleReader R(string hex) => new(Convert.FromHexString(hex));

    [Theory]
    [InlineData("00", 0)]
    [InlineData("04", 1)]
    [InlineData("fc", 63)]
    [InlineData("0101", 64)]
    [InlineData("fdff", 16383)]
    [InlineData("02000100", 16384)]
    [InlineData("feffffff", 1073741823)]
    [InlineData("0300000040", 1073741824)]
    [InlineData("13ffffffffffffffff", 18446744073709551615)]
    public void Compact_decodes_all_modes(string hex, ulong expected)
    {
        var r = R(hex);
        r.ReadCompactU64().ShouldBe(expected);
        r.AtEnd.ShouldBeTrue();
    }

    [Fact]
    public void Compact_decodes_u128_max()
    {
        R("33" + new string('f', 32)).ReadCompactU128().ShouldBe(UInt128.MaxValue);
        R("33" + new string('f', 32)).ReadCompact().ShouldBe((BigInteger)UInt128.MaxValue);
    }

    [Fact]
    public void Fixed_width_integers_are_little_endian()
    {
        var r = R("2a" + "0004" + "efbeadde" + "0100000000000080" + "ff" + "feff" + "01000000000000000000000000000000" + "ffffffffffffffffffffffffffffffff");
        r.ReadU8().ShouldBe((byte)42);
        r.ReadU16().ShouldBe((ushort)1024);
        r.ReadU32().ShouldBe(0xdeadbeefu);
        r.ReadU64().ShouldBe(0x8000000000000001ul);
        r.ReadI8().ShouldBe((sbyte)-1);
        r.ReadI16().ShouldBe((short)-2);
        r.ReadU128().ShouldBe(UInt128.One);
        r.ReadI128().ShouldBe(Int128.NegativeOne);
        r.AtEnd.ShouldBeTrue();
    }

    [Fact]
    public void Bool_option_vec_and_array()
    {
        var r = R("01" + "00" + "011d00" + "00" + "0c010002000300" + "0a0b");
        r.ReadBool().ShouldBeTrue();
        r.ReadBool().ShouldBeFalse();
        r.ReadOptionTag().ShouldBeTrue();
        r.ReadU16().ShouldBe((ushort)29);
        r.ReadOptionTag().ShouldBeFalse();
        r.ReadVec(x => x.ReadU16()).ShouldBe([1, 2, 3]);
        r.ReadArray(2, x => x.ReadU8()).ShouldBe([10, 11]);
        r.AtEnd.ShouldBeTrue();
    }

    [Fact]
    public void Truncated_input_names_what_and_offset()
    {
        var r = R("0102");
        r.ReadU8();
        var ex = Should.Throw<ScaleDecodeException>(() => r.ReadU32("Weight"));
        ex.Offset.ShouldBe(1);
        ex.What.ShouldBe("Weight");
        ex.Message.ShouldContain("offset 1");
    }

    [Fact]
    public void Invalid_bool_is_rejected()
    {
        Should.Throw<ScaleDecodeException>(() => R("02").ReadBool()).Offset.ShouldBe(0);
    }

    [Fact]
    public void Truncated_compact_is_rejected()
    {
        Should.Throw<ScaleDecodeException>(() => R("02").ReadCompact());
        Should.Throw<ScaleDecodeException>(() => R("13ff").ReadCompact());
    }
}
