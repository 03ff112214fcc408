//! Byzantine proposers: the real application wrapped, its proposals made invalid the way a
//! faulty or malicious leader would, its verification untouched (as Commonware keeps its
//! `conflicter`, `nuller` and `equivocator` apart from the real actors).

use commonware_consensus::Application;
use commonware_consensus::marshal::ancestry::Ancestry;
use commonware_consensus::simplex::scheme::ed25519::Scheme;
use commonware_consensus::simplex::types::Context;
use commonware_cryptography::Digested;
use commonware_cryptography::ed25519::PublicKey;
use commonware_cryptography::sha256::Digest;
use commonware_runtime::Clock;
use medledger_types::block::{Block, tx_root};

use crate::application::LedgerApp;
use crate::block::{LedgerBlock, digest_of};

/// How a Byzantine proposer's blocks are wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposerFault {
    /// Its header claims a wrong state root.
    WrongStateRoot,
    /// It holds a transaction with a forged signature.
    ForgedTransaction,
}

/// A proposer that builds a valid block, then corrupts it.
#[derive(Clone)]
pub struct ByzantineProposer {
    pub inner: LedgerApp,
    pub fault: ProposerFault,
}

/// Makes a valid block invalid the way `fault` says.
fn corrupt(mut block: Block, fault: ProposerFault) -> Block {
    match (fault, block.txs.first_mut()) {
        (ProposerFault::ForgedTransaction, Some(tx)) => {
            tx.signature[0] ^= 1;
            block.header.tx_root = tx_root(&block.txs);
        }
        _ => block.header.state_root.0[0] ^= 1,
    }
    block
}

impl<E: Clock + Send + 'static> Application<E> for ByzantineProposer {
    type SigningScheme = Scheme;
    type Context = Context<Digest, PublicKey>;
    type Block = LedgerBlock;
    type Input = ();

    async fn propose(
        &mut self,
        context: (E, Self::Context),
        ancestry: impl Ancestry<LedgerBlock>,
        input: (),
    ) -> Option<Digested<LedgerBlock>> {
        let honest = self.inner.propose(context, ancestry, input).await?;
        let block = LedgerBlock::new(corrupt(honest.inner().block().clone(), self.fault));
        let digest = digest_of(&block.hash());
        Some(Digested::precomputed(block, digest))
    }

    async fn verify(
        &mut self,
        context: (E, Self::Context),
        ancestry: impl Ancestry<LedgerBlock>,
    ) -> bool {
        self.inner.verify(context, ancestry).await
    }
}
