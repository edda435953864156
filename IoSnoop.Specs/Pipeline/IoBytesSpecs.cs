using IoSnoop.Actors.Events;

namespace IoSnoop.Specs.Pipeline;

public sealed class IoBytesSpecs
{
    [Fact]
    public void Sums_stop_at_the_largest_figure_and_a_negation_takes_the_same_bytes_away()
    {
        var some = new IoBytes(10, 20, 30, 40);
        Assert.Equal(new IoBytes(11, 22, 33, 44), some.Plus(new IoBytes(1, 2, 3, 4)));
        Assert.Equal(new IoBytes(long.MaxValue, 20, long.MaxValue, 40), some.Plus(new IoBytes(long.MaxValue, 0, long.MaxValue, 0)));
        Assert.True(some.Plus(some.Negated()).IsZero);
        Assert.False(some.IsZero);
        Assert.True(default(IoBytes).IsZero);
    }

    [Fact]
    public void Negative_figures_are_bad_input_and_count_as_zero_where_kept()
    {
        var bad = new IoBytes(-1, 5, 0, -7);
        Assert.True(bad.HasNegative);
        Assert.False(new IoBytes(0, 5, 0, 7).HasNegative);
        Assert.Equal(new IoBytes(0, 5, 0, 0), bad.AtLeastZero());
    }
}
