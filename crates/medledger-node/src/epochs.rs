//! What each epoch runs with: its signing scheme (the validators of that epoch, read from the
//! ledger's state) and its peer set (who the network connects). Marshal verifies each
//! finalization under the scheme of the epoch its height is in; the orchestrator registers a
//! scheme when its epoch begins.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use commonware_consensus::simplex::scheme::ed25519::Scheme;
use commonware_consensus::types::Epoch;
use commonware_cryptography::certificate::{Provider, Scoped};
use commonware_cryptography::ed25519::{PrivateKey, PublicKey};
use commonware_utils::ordered::Set;
use medledger_types::validators::Validators;

/// The consensus key of a validator, as Commonware names it.
pub fn consensus_key(key: &medledger_types::hash::PublicKey) -> Option<PublicKey> {
    use commonware_codec::DecodeExt as _;
    PublicKey::decode(bytes::Bytes::copy_from_slice(&key.0)).ok()
}

/// The participants of a set, in Simplex's order.
pub fn participants(validators: &Validators) -> Set<PublicKey> {
    Set::from_iter_dedup(
        validators
            .members()
            .iter()
            .filter_map(|v| consensus_key(&v.key)),
    )
}

/// Every epoch's scheme this node knows, by epoch: a signer where this node is a validator of
/// that epoch, a verifier elsewhere.
#[derive(Clone)]
pub struct EpochSchemes {
    namespace: Vec<u8>,
    signer: PrivateKey,
    schemes: Arc<Mutex<BTreeMap<Epoch, Arc<Scheme>>>>,
}

impl EpochSchemes {
    pub fn new(namespace: Vec<u8>, signer: PrivateKey) -> Self {
        Self {
            namespace,
            signer,
            schemes: Arc::default(),
        }
    }

    /// Registers `epoch`'s validators (again: a restart registers what it had).
    pub fn register(&self, epoch: Epoch, validators: &Validators) {
        let set = participants(validators);
        let scheme = Scheme::signer(&self.namespace, set.clone(), self.signer.clone())
            .unwrap_or_else(|| Scheme::verifier(&self.namespace, set));
        self.lock().insert(epoch, Arc::new(scheme));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Epoch, Arc<Scheme>>> {
        self.schemes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Provider for EpochSchemes {
    type Scope = Epoch;
    type Scheme = Scheme;

    fn scoped(&self, epoch: Epoch) -> Option<Scoped<Scheme>> {
        // A full scope for signers and verifiers alike: marshal and each epoch's engine take
        // the scheme itself (a verifier scheme simply never signs).
        self.lock().get(&epoch).cloned().map(Scoped::scheme)
    }
}

/// Who the network connects during an epoch: its validators (primary), everyone else this node
/// knows of (secondary, so followers and the previous set stay reachable).
pub trait PeerSets: Send + 'static {
    fn track(&mut self, epoch: Epoch, validators: &Validators);
}

/// Peer sets for a network that dials peers by address (the production `lookup` network): a
/// validator's address comes from the ledger (a validator that joined named it), else from this
/// node's configuration (genesis validators); every configured peer stays a secondary peer.
pub struct AddressedPeers<M> {
    pub manager: M,
    /// The configured peers and their addresses.
    pub known: BTreeMap<PublicKey, commonware_p2p::Address>,
}

impl<M> PeerSets for AddressedPeers<M>
where
    M: commonware_p2p::AddressableManager<PublicKey = PublicKey>,
{
    fn track(&mut self, epoch: Epoch, validators: &Validators) {
        use commonware_utils::ordered::Map;
        let primary: Vec<(PublicKey, commonware_p2p::Address)> = validators
            .members()
            .iter()
            .filter_map(|v| {
                let key = consensus_key(&v.key)?;
                let address = v
                    .address
                    .parse::<std::net::SocketAddr>()
                    .ok()
                    .map(commonware_p2p::Address::from)
                    .or_else(|| self.known.get(&key).cloned());
                if address.is_none() {
                    tracing::warn!(validator = %v.key, "no address for a validator: it is not dialed");
                }
                Some((key, address?))
            })
            .collect();
        let secondary: Vec<(PublicKey, commonware_p2p::Address)> = self
            .known
            .iter()
            .filter(|(k, _)| !primary.iter().any(|(p, _)| p == *k))
            .map(|(k, a)| (k.clone(), a.clone()))
            .collect();
        let peers = commonware_p2p::AddressableTrackedPeers::new(
            Map::from_iter_dedup(primary),
            Map::from_iter_dedup(secondary),
        );
        let _ = commonware_p2p::AddressableManager::track(&mut self.manager, epoch.get(), peers);
    }
}

/// Peer sets for a network that knows every peer already (the deterministic simulation):
/// an epoch's validators are primary, the others `known` secondary.
pub struct KeyedPeers<M> {
    pub manager: M,
    pub known: Vec<PublicKey>,
}

impl<M> PeerSets for KeyedPeers<M>
where
    M: commonware_p2p::Manager<PublicKey = PublicKey>,
{
    fn track(&mut self, epoch: Epoch, validators: &Validators) {
        let primary = participants(validators);
        let secondary = Set::from_iter_dedup(
            self.known
                .iter()
                .filter(|k| primary.position(k).is_none())
                .cloned(),
        );
        let peers = commonware_p2p::TrackedPeers::new(primary, secondary);
        let _ = commonware_p2p::Manager::track(&mut self.manager, epoch.get(), peers);
    }
}
