using SdAgones.LocalAgones.Fleets;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Tests.LocalAgones;

/// <summary>Issue 22: the port a GameServer reports follows Agones' rule for each port policy.</summary>
public sealed class PodNetworkTests
{
    [Fact]
    public void None_reports_the_containerPort_at_a_pod_IP_of_its_own()
    {
        var port = new GameServerPort { Name = "sd", PortPolicy = "None", ContainerPort = 7860 };
        var first = PodNetwork.Assign(port);
        var second = PodNetwork.Assign(port);
        Assert.Equal((7860, 7860), (first.Listen, first.Reported));
        Assert.Equal((7860, 7860), (second.Listen, second.Reported));
        Assert.StartsWith("127.", first.PodIP, StringComparison.Ordinal);
        Assert.NotEqual(first.PodIP, second.PodIP);
    }

    [Fact]
    public void Static_reports_the_hostPort_and_Dynamic_and_Passthrough_a_chosen_port()
    {
        var fixedPort = PodNetwork.FreePort();
        Assert.Equal(new PodPorts("127.0.0.1", fixedPort, fixedPort),
            PodNetwork.Assign(new GameServerPort { Name = "sd", PortPolicy = "Static", ContainerPort = 7860, HostPort = fixedPort }));
        foreach (var policy in (string[])["Dynamic", "Passthrough"])
        {
            var ports = PodNetwork.Assign(new GameServerPort { Name = "sd", PortPolicy = policy, ContainerPort = 7860 });
            Assert.NotEqual(7860, ports.Reported);
            Assert.Equal(ports.Listen, ports.Reported);
        }
    }

    [Fact]
    public void An_unknown_policy_or_a_Static_port_without_hostPort_is_refused_by_name()
    {
        var unknown = Assert.Throws<InvalidOperationException>(() => PodNetwork.Assign(new GameServerPort { Name = "sd", PortPolicy = "Random", ContainerPort = 7860 }));
        Assert.Equal("port \"sd\" has portPolicy \"Random\"; use None, Static, Dynamic or Passthrough", unknown.Message);
        var noHost = Assert.Throws<InvalidOperationException>(() => PodNetwork.Assign(new GameServerPort { Name = "sd", PortPolicy = "Static", ContainerPort = 7860 }));
        Assert.Equal("port \"sd\" has portPolicy Static but no hostPort", noHost.Message);
    }
}
