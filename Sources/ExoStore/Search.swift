/// The first position in `range` at which `isAbove` holds, for a predicate that is false
/// and then true along the range: the one binary search every sorted table here uses (the
/// cache file's rows, a pack's object names, the index's paths, sorted id lists).
@inlinable
package func partitionPoint(_ range: Range<Int>, isAbove: (Int) -> Bool) -> Int {
    var lo = range.lowerBound
    var hi = range.upperBound
    while lo < hi {
        let mid = lo + (hi - lo) / 2
        if isAbove(mid) { hi = mid } else { lo = mid + 1 }
    }
    return lo
}
