//! Related advisories: for each public advisory, the few others it shares the most
//! data classes and tags with, nearest in time first.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::model::Advisory;

/// Related advisories shown on an advisory page.
const RELATED: usize = 5;

/// For each advisory, up to [`RELATED`] others sharing data classes or tags, most shared
/// first, then nearest in time. Candidates come from the neighbours in time within each
/// shared class or tag, so the cost stays linear in the number of advisories.
pub(super) fn related(public: &[&Advisory]) -> Vec<Vec<usize>> {
    const WINDOW: usize = 8;
    // Each data class and tag gets a number; its posting list holds the advisories that
    // carry it, in order, and each advisory remembers where it stands in each of its lists.
    let mut numbers: HashMap<(bool, &str), usize> = HashMap::new();
    let mut postings: Vec<Vec<usize>> = Vec::new();
    let mut places: Vec<Vec<(usize, usize)>> = Vec::with_capacity(public.len());
    for (i, a) in public.iter().enumerate() {
        let keys = a.data.iter().map(|d| (true, d.as_str())).chain(a.tags.iter().map(|t| (false, t.as_str())));
        let mut own = Vec::with_capacity(a.data.len() + a.tags.len());
        for key in keys {
            let n = *numbers.entry(key).or_insert_with(|| {
                postings.push(Vec::new());
                postings.len() - 1
            });
            if postings[n].last() != Some(&i) {
                own.push((n, postings[n].len()));
                postings[n].push(i);
            }
        }
        places.push(own);
    }
    places
        .par_iter()
        .enumerate()
        .map(|(i, own)| {
            let mut candidates: Vec<usize> = Vec::with_capacity(own.len() * (2 * WINDOW));
            for &(n, pos) in own {
                let list = &postings[n];
                let (lo, hi) = (pos.saturating_sub(WINDOW), (pos + WINDOW + 1).min(list.len()));
                candidates.extend(list[lo..hi].iter().copied().filter(|&j| j != i));
            }
            candidates.sort_unstable();
            // (advisory, how many classes and tags it shares with this one)
            let mut ranked: Vec<(usize, usize)> = Vec::with_capacity(candidates.len());
            for j in candidates {
                match ranked.last_mut() {
                    Some((last, shared)) if *last == j => *shared += 1,
                    _ => ranked.push((j, 1)),
                }
            }
            ranked.sort_unstable_by_key(|&(j, shared)| (std::cmp::Reverse(shared), j.abs_diff(i), j));
            ranked.into_iter().map(|(j, _)| j).take(RELATED).collect()
        })
        .collect()
}
