package io.slipway.registry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.AuditEntry;
import io.slipway.registry.tenancy.TenancyModel.Kind;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Policy;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link TenancyStore} must have. Each implementation runs it by extending this
 * class and saying how to open a fresh store (and close it).
 */
public abstract class TenancyStoreContract {
    protected TenancyStore store;

    protected abstract TenancyStore openStore() throws Exception;

    protected abstract void closeStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = openStore();
    }

    @AfterEach
    void close() throws Exception {
        closeStore();
    }

    @Test
    void accountsAreUniqueByName() {
        assertThat(store.anyAccount()).isFalse();
        Account b = store.createAccount("bravo");
        Account a = store.createAccount("alpha");
        assertThat(store.anyAccount()).isTrue();
        assertThat(store.account("bravo")).contains(b);
        assertThat(store.account("nope")).isEmpty();
        assertThat(store.accounts()).extracting(Account::name).containsExactly("alpha", "bravo");
        assertThat(a.id()).isNotEqualTo(b.id());
        assertThatThrownBy(() -> store.createAccount("alpha")).isInstanceOf(RuntimeException.class);
        assertThat(store.accounts()).hasSize(2);
    }

    @Test
    void namespacesBelongToAnAccountAndCanBeMadePublic() {
        Account acme = store.createAccount("acme");
        Account globex = store.createAccount("globex");
        Namespace dev = store.createNamespace("acme-dev", acme.id(), false);
        store.createNamespace("globex-app", globex.id(), true);
        assertThat(dev.account()).isEqualTo("acme");
        assertThat(dev.isPublic()).isFalse();
        assertThat(store.namespace("globex-app")).get().extracting(Namespace::isPublic).isEqualTo(true);
        assertThat(store.namespaces(acme.id())).extracting(Namespace::name).containsExactly("acme-dev");
        assertThat(store.namespaces(null)).extracting(Namespace::name).containsExactly("acme-dev", "globex-app");
        assertThat(store.setPublic("acme-dev", true)).isTrue();
        assertThat(store.namespace("acme-dev")).get().extracting(Namespace::isPublic).isEqualTo(true);
        assertThat(store.setPublic("nope", true)).isFalse();

        Principal ci = store.createPrincipal(acme.id(), Kind.SERVICE, "ci", null, false);
        store.createPolicy(acme.id(), ci.id(), Role.WRITER, "acme-dev", null);
        assertThat(store.deleteNamespace("acme-dev")).isTrue();
        assertThat(store.namespace("acme-dev")).isEmpty();
        assertThat(store.policiesOf(ci.id())).as("policies on a deleted namespace go with it").isEmpty();
        assertThat(store.deleteNamespace("acme-dev")).isFalse();
    }

    @Test
    void userNamesAreUniqueInTheRegistryServiceIdsPerAccount() {
        Account acme = store.createAccount("acme");
        Account globex = store.createAccount("globex");
        Principal alice = store.createPrincipal(acme.id(), Kind.USER, "alice", "hash", true);
        assertThat(alice.admin()).isTrue();
        assertThat(alice.subject()).isEqualTo("user:acme/alice");
        assertThat(store.user("alice")).contains(alice);
        assertThat(store.principal(alice.id())).contains(alice);
        assertThatThrownBy(() -> store.createPrincipal(globex.id(), Kind.USER, "alice", null, false))
                .isInstanceOf(RuntimeException.class);

        Principal ciAcme = store.createPrincipal(acme.id(), Kind.SERVICE, "ci", null, false);
        Principal ciGlobex = store.createPrincipal(globex.id(), Kind.SERVICE, "ci", null, false);
        assertThat(ciAcme.admin()).isFalse();
        assertThat(store.serviceId(globex.id(), "ci")).contains(ciGlobex);
        assertThat(store.user("ci")).isEmpty();
        assertThat(store.principals(acme.id())).extracting(Principal::name).containsExactly("ci", "alice");
    }

    @Test
    void apiKeysAndPoliciesGoWithTheirPrincipal() {
        Account acme = store.createAccount("acme");
        Principal bob = store.createPrincipal(acme.id(), Kind.USER, "bob", null, false);
        var key = store.createApiKey(bob.id(), "lookup-1", "argon-hash", "laptop");
        store.createApiKey(bob.id(), "lookup-2", "argon-hash-2", null);
        assertThat(store.apiKeyByLookup("lookup-1")).get().satisfies(k -> {
            assertThat(k.principalId()).isEqualTo(bob.id());
            assertThat(k.hash()).isEqualTo("argon-hash");
            assertThat(k.description()).isEqualTo("laptop");
        });
        assertThat(store.apiKeys(bob.id())).extracting(k -> k.lookup()).containsExactly("lookup-1", "lookup-2");
        assertThat(store.deleteApiKey(key.id())).isTrue();
        assertThat(store.apiKeyByLookup("lookup-1")).isEmpty();

        Policy onAccount = store.createPolicy(acme.id(), bob.id(), Role.READER, null, null);
        Policy onRepo = store.createPolicy(acme.id(), bob.id(), Role.MANAGER, "acme-dev", "acme-dev/app");
        assertThat(onRepo.role()).isEqualTo(Role.MANAGER);
        assertThat(onRepo.repository()).isEqualTo("acme-dev/app");
        assertThat(onRepo.principal()).isEqualTo("bob");
        assertThat(onRepo.kind()).isEqualTo(Kind.USER);
        assertThat(store.policiesOf(bob.id())).extracting(Policy::id).containsExactly(onAccount.id(), onRepo.id());
        assertThat(store.policiesInAccount(acme.id())).hasSize(2);
        assertThat(store.deletePolicy(onAccount.id())).isTrue();
        assertThat(store.policy(onAccount.id())).isEmpty();

        assertThat(store.deletePrincipal(bob.id())).isTrue();
        assertThat(store.principal(bob.id())).isEmpty();
        assertThat(store.apiKeyByLookup("lookup-2")).isEmpty();
        assertThat(store.policiesInAccount(acme.id())).isEmpty();
    }

    @Test
    void callersTakingTheLegacySigningKeyTakeTurnsAndANewDatabaseHasNone() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<TenancyStore.SigningKey>> asks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                asks.add(pool.submit(() -> store.takeLegacySigningKey(legacy -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    Thread.yield();
                    inside.decrementAndGet();
                    return legacy;
                })));
            }
            for (Future<TenancyStore.SigningKey> f : asks) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isNull();
            }
        } finally {
            pool.shutdownNow();
        }
        // One node at a time decides where the key goes, or two could write different key files.
        assertThat(most).hasValue(1);
    }

    @Test
    void theAuditLogListsNewestFirst() {
        for (int i = 0; i < 5; i++) {
            store.audit("user:acme/alice", "push", "acme-dev/app:" + i, "127.0.0.1", i == 4 ? "denied" : "ok");
        }
        List<AuditEntry> last = store.auditLog(3);
        assertThat(last).extracting(AuditEntry::target).containsExactly("acme-dev/app:4", "acme-dev/app:3",
                "acme-dev/app:2");
        assertThat(last.get(0).outcome()).isEqualTo("denied");
        assertThat(last.get(0).remote()).isEqualTo("127.0.0.1");
        assertThat(store.auditLog(100).stream().map(AuditEntry::id).collect(Collectors.toSet())).hasSize(5);
    }

    @Test
    void aDuplicateCreatedByAnotherWriterIsAConflictNotAServerError() {
        store.createAccount("acme");
        // What Tenancy's own check cannot see when another writer (another node) inserted in between.
        assertThatThrownBy(() -> store.createAccount("acme")).isInstanceOf(TenancyException.class)
                .hasMessageContaining("exists")
                .satisfies(e -> assertThat(((TenancyException) e).status()).isEqualTo(409));
    }
}
