using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace PortalPlatform.Webhooks.Security;

/// <summary>A Data Protection key, as XML, in the service's own database.</summary>
public sealed record DataProtectionKey(string Id, string Xml);

/// <summary>
/// Keeps the Data Protection key ring in PostgreSQL, so every instance, and every restart, can decrypt the stored
/// webhook secrets (the default file-system ring would be lost with the container).
/// </summary>
/// <remarks>The interface is synchronous; it is called at start-up and when a key is made (every 90 days).</remarks>
public sealed class MartenXmlRepository(IDocumentStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var session = store.QuerySession();
        var keys = session.Query<DataProtectionKey>().ToListAsync().GetAwaiter().GetResult();
        return [.. keys.Select(k => XElement.Parse(k.Xml))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var session = store.LightweightSession();
        session.Store(new DataProtectionKey(friendlyName, element.ToString(SaveOptions.DisableFormatting)));
        session.SaveChangesAsync().GetAwaiter().GetResult();
    }
}
