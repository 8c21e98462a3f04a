// Accuracy of the vectorisable exp / sigmoid / tanh approximations against Float64 libm.
import Foundation
import XCTest
import SeqCast

final class ActivationTests: XCTestCase {
    /// Dense grid over the working range plus extremes and tiny values.
    private var grid: [Float] {
        var xs = stride(from: -30.0, through: 30.0, by: 0.00137).map { Float($0) }
        xs += [0, 1e-30, -1e-30, 1e-7, -1e-7, 1e-4, -3e-3, 7.9, -7.9, 8, 50, -50, 88, -87, 100, -100,
               .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        return xs
    }

    func testExpRelativeError() {
        var worst = 0.0
        for x in grid where x > -80 && x < 80 {
            let ref = exp(Double(x))
            worst = max(worst, abs(Double(fastExp(x)) - ref) / ref)
        }
        print("fastExp max relative error on [-80, 80]: \(worst)")
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertTrue(fastExp(1000).isFinite && fastExp(-1000) >= 0)
    }

    func testSigmoidError() {
        var worst = 0.0
        for x in grid {
            let ref = 1 / (1 + exp(-Double(x)))
            let got = Double(fastSigmoid(x))
            XCTAssertTrue((0...1).contains(got), "sigmoid(\(x)) = \(got)")
            if ref > 1e-30 { worst = max(worst, abs(got - ref) / ref) }
        }
        print("fastSigmoid max relative error: \(worst)")
        XCTAssertLessThan(worst, 5e-7)
    }

    func testTanhError() {
        var worstRel = 0.0, worstAbs = 0.0
        for x in grid {
            let ref = tanh(Double(x)), got = Double(fastTanh(x))
            XCTAssertTrue((-1...1).contains(got), "tanh(\(x)) = \(got)")
            worstAbs = max(worstAbs, abs(got - ref))
            if abs(ref) > 1e-30 { worstRel = max(worstRel, abs(got - ref) / abs(ref)) }
        }
        print("fastTanh max absolute error \(worstAbs), max relative error \(worstRel)")
        XCTAssertLessThan(worstAbs, 2e-6)
        XCTAssertLessThan(worstRel, 2e-6)
        XCTAssertEqual(fastTanh(-0.3), -fastTanh(0.3))
    }
}
