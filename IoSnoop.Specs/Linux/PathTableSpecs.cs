using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;

namespace IoSnoop.Specs.Linux;

public sealed class PathTableSpecs
{
    private static PathComponent Name(int index, string name, bool truncated = false) => new(index, name, truncated);

    private static PathComponent Root(int index) => new(index, "/", false);

    [Fact]
    public void Components_join_from_the_root_down_in_any_order()
    {
        Assert.Equal("/usr/share/doc", PathTable.Join([Name(1, "share"), Root(3), Name(0, "doc"), Name(2, "usr")]));
        Assert.Equal("/etc", PathTable.Join([Name(0, "etc"), Root(1)]));
    }

    [Fact]
    public void Cut_names_are_marked_and_incomplete_walks_are_partial()
    {
        Assert.Equal("/tmp/abc…", PathTable.Join([Name(0, "abc", truncated: true), Name(1, "tmp"), Root(2)]));
        Assert.Equal("…/b/a", PathTable.Join([Name(0, "a"), Name(1, "b")]));
        Assert.Equal("…/a", PathTable.Join([Name(0, "a"), Name(2, "c"), Root(3)]));
        Assert.Null(PathTable.Join([Name(1, "b"), Root(2)]));
        Assert.Null(PathTable.Join([]));
    }

    [Fact]
    public void A_component_sent_twice_counts_once()
    {
        Assert.Equal("/x/a", PathTable.Join([Name(0, "a"), Name(0, "a"), Name(1, "x"), Root(2), Root(2)]));
    }

    [Fact]
    public void The_table_keeps_at_most_its_capacity_and_recently_used_paths_survive()
    {
        var table = new PathTable(capacity: 4);
        for (var i = 0u; i < 100; i++)
        {
            table.Set(new FileKey(1, i, 0), $"/f{i}");
            Assert.True(table.TryGet(new FileKey(1, 0, 0), out var first));
            Assert.Equal("/f0", first);
            Assert.True(table.Count <= 4);
        }
        Assert.False(table.TryGet(new FileKey(1, 50, 0), out _));
        Assert.True(table.TryGet(new FileKey(1, 99, 0), out _));
    }

    [Fact]
    public void The_generation_tells_files_with_the_same_inode_number_apart()
    {
        var table = new PathTable();
        table.Set(new FileKey(1, 7, 100), "/old");
        table.Set(new FileKey(1, 7, 101), "/new");

        Assert.True(table.TryGet(new FileKey(1, 7, 100), out var old));
        Assert.Equal("/old", old);
    }
}
