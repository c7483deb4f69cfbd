import unittest

from model import centroids, predict


class ModelTest(unittest.TestCase):
    def test_predicts_the_nearest_centroid(self) -> None:
        model = centroids([(1.0, 1.0, "a"), (1.2, 0.8, "a"), (5.0, 5.0, "b")])
        self.assertEqual(predict(model, 1.1, 1.0), "a")
        self.assertEqual(predict(model, 4.0, 4.5), "b")


if __name__ == "__main__":
    unittest.main()
